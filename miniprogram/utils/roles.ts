// The roles in the words the app shows.
import type { Role } from '../../typings/api';

export const ROLE_NAMES: Record<Role, string> = { manager: '管理员', driver: '司机', staff: '外勤' };
