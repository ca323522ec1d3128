// Once per run: the npm components where WeChat puts them, and China's time zone for every worker.
import { copyNpm } from '../../scripts/copy-npm';

export default function globalSetup(): void {
  process.env.TZ = 'Asia/Shanghai';
  copyNpm();
}
