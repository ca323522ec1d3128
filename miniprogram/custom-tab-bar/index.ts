// The role-aware tab bar (app.json tabBar.custom).
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { Role } from '../../typings/api';
import { sessionStore } from '../stores/session';
import { tabsFor } from '../utils/tabs';

ComponentWithStore({
  storeBindings: { store: sessionStore, fields: { role: () => sessionStore.role }, actions: [] },
  data: { selected: '/pages/cards/index', tabs: tabsFor(null) },
  methods: {
    onChange(event: { detail: string }) {
      wx.switchTab({ url: event.detail });
    },
  },
  observers: {
    role(role: Role | null) {
      this.setData({ tabs: tabsFor(role) });
    },
  },
});
