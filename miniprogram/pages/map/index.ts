// 地图: one card's last base-station location with its accuracy circle, or every card the person may see
// (the fleet for managers and field staff, their own vehicles' cards for a driver). Tap a pin for the card.
import { ComponentWithStore } from 'mobx-miniprogram-bindings';
import type { CardState, Location, Role } from '../../../typings/api';
import { cardsApi } from '../../services/api';
import { messageOf } from '../../services/feedback';
import { sessionStore } from '../../stores/session';
import { STATE_NAMES } from '../../utils/card-state';
import { formatAge, formatTime } from '../../utils/format';
import { takeMapFocus } from '../../utils/map-focus';
import { selectTab } from '../../utils/tabs';
import {
  CHINA,
  circleOf,
  formatRadius,
  markerOf,
  pointOf,
  pointsAround,
  shortIccid,
  type MapCircle,
  type MapMarker,
  type MapPoint,
} from './markers';

const TAB = '/pages/map/index';
/** Markers sent per setData: a few hundred pins never go in one call. */
const MARKERS_PER_CALL = 50;

interface Selected {
  iccid: string;
  title: string;
  iccidText: string;
  state: CardState;
  stateName: string;
  time: string;
  age: string;
  accuracy: string;
}

/** What the page keeps for itself (not rendered). */
interface Own {
  locations: Location[];
  selectedIndex: number;
  /** Answers of an older load are dropped. */
  loadSeq: number;
  loaded: boolean;
}

const own = (page: unknown) => page as Own;

function describe(location: Location): Selected {
  return {
    iccid: location.iccid,
    title: location.plate ?? '未绑定车辆',
    iccidText: location.iccid,
    state: location.state,
    stateName: STATE_NAMES[location.state],
    time: formatTime(location.locatedAt),
    age: formatAge(location.locatedAt),
    accuracy: formatRadius(location.radius),
  };
}

ComponentWithStore({
  storeBindings: { store: sessionStore, fields: { role: () => sessionStore.role }, actions: [] },
  data: {
    role: null as Role | null,
    mode: 'fleet' as 'fleet' | 'card',
    iccid: '',
    loading: false,
    error: '',
    count: 0,
    missing: 0,
    markers: [] as MapMarker[],
    circles: [] as MapCircle[],
    points: [] as MapPoint[],
    latitude: CHINA.latitude,
    longitude: CHINA.longitude,
    scale: CHINA.scale,
    selected: null as Selected | null,
    showLocation: false,
    locating: false,
  },
  lifetimes: {
    created() {
      Object.assign(own(this), { locations: [], selectedIndex: -1, loadSeq: 0, loaded: false });
    },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      if (options.iccid) this.setData({ mode: 'card', iccid: decodeURIComponent(options.iccid) });
    },
    onShow() {
      selectTab(this, TAB);
      const focus = takeMapFocus();
      if (focus && (this.data.mode !== 'card' || focus !== this.data.iccid)) {
        this.setData({ mode: 'card', iccid: focus });
        void this.load();
      } else if (!own(this).loaded) {
        void this.load();
      }
    },

    async load() {
      const self = own(this);
      const seq = ++self.loadSeq;
      self.loaded = true;
      self.locations = [];
      self.selectedIndex = -1;
      this.setData({ loading: true, error: '', selected: null, circles: [], markers: [], points: [] });
      try {
        if (this.data.mode === 'card') {
          const location = await cardsApi.location({ iccid: this.data.iccid });
          if (seq !== self.loadSeq) return;
          this.show([location], { count: 1, missing: 0 }, pointsAround(location));
          this.select(0);
        } else {
          const { items, missing } = await cardsApi.locations({});
          if (seq !== self.loadSeq) return;
          this.show(items, { count: items.length, missing }, items.map(pointOf));
        }
      } catch (error) {
        if (seq === self.loadSeq) this.setData({ error: messageOf(error), count: 0, missing: 0 });
      } finally {
        if (seq === self.loadSeq) this.setData({ loading: false });
      }
    },

    /** Pins in calls of at most MARKERS_PER_CALL, then the points to fit. */
    show(locations: Location[], counts: { count: number; missing: number }, points: MapPoint[]) {
      own(this).locations = locations;
      const markers = locations.map((location, i) => markerOf(location, i));
      this.setData({ ...counts, markers: markers.slice(0, MARKERS_PER_CALL) });
      for (let start = MARKERS_PER_CALL; start < markers.length; start += MARKERS_PER_CALL) {
        const patch: Record<string, MapMarker> = {};
        markers
          .slice(start, start + MARKERS_PER_CALL)
          .forEach((marker, i) => (patch[`markers[${start + i}]`] = marker));
        this.setData(patch);
      }
      this.setData({ points });
    },

    select(index: number) {
      const self = own(this);
      const location = self.locations[index];
      if (!location) return;
      const patch: Record<string, unknown> = { selected: describe(location), circles: [circleOf(location)] };
      if (this.data.mode === 'fleet') {
        const previous = self.locations[self.selectedIndex];
        if (previous && self.selectedIndex !== index) {
          patch[`markers[${self.selectedIndex}].iconPath`] = markerOf(previous, self.selectedIndex).iconPath;
        }
        patch[`markers[${index}].iconPath`] = markerOf(location, index, true).iconPath;
      }
      self.selectedIndex = index;
      this.setData(patch);
    },

    onMarkerTap(event: { detail: { markerId: number } }) {
      this.select(Number(event.detail.markerId));
    },

    onClosePanel() {
      const self = own(this);
      const previous = self.locations[self.selectedIndex];
      const patch: Record<string, unknown> = { selected: null, circles: [] };
      if (previous) patch[`markers[${self.selectedIndex}].iconPath`] = markerOf(previous, self.selectedIndex).iconPath;
      self.selectedIndex = -1;
      this.setData(patch);
    },

    onOpenCard() {
      const selected = this.data.selected;
      if (selected) wx.navigateTo({ url: `/pages/card-detail/index?iccid=${encodeURIComponent(selected.iccid)}` });
    },

    onNavigate() {
      const self = own(this);
      const location = self.locations[self.selectedIndex];
      if (!location) return;
      wx.openLocation({
        latitude: location.lat,
        longitude: location.lng,
        scale: 15,
        name: location.plate ?? `物联卡 ${shortIccid(location.iccid)}`,
        address: `基站定位，精度约 ${formatRadius(location.radius)}，定位于 ${formatTime(location.locatedAt)}`,
        fail: () => wx.showToast({ title: '没能打开导航，请稍后重试', icon: 'none' }),
      });
    },

    onShowAll() {
      this.setData({ mode: 'fleet', iccid: '' });
      void this.load();
    },

    onRetry() {
      void this.load();
    },

    /** Where am I: the blue dot, and the map fitted to me and the selected card (or centred on me). */
    onLocateMe() {
      if (this.data.locating) return;
      this.setData({ locating: true });
      wx.getLocation({
        type: 'gcj02',
        success: (res) => {
          const self = own(this);
          const me = { latitude: res.latitude, longitude: res.longitude };
          const selected = self.locations[self.selectedIndex];
          this.setData({
            showLocation: true,
            latitude: me.latitude,
            longitude: me.longitude,
            scale: 14,
            points: selected ? [me, pointOf(selected)] : [me],
          });
        },
        fail: () => {
          wx.showModal({
            title: '没有获得你的位置',
            content: '请在右上角「…」›「设置」中允许使用位置信息，并确认手机已打开定位，然后再点「我的位置」。',
            showCancel: false,
            confirmText: '知道了',
          });
        },
        complete: () => this.setData({ locating: false }),
      });
    },
  },
});
