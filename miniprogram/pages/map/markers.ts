// What the map draws for a card location: a pin coloured by the card's state and labelled by its plate, the
// accuracy circle of the base-station fix, and the points the map must fit. Locations come as GCJ-02.
import type { CardState, Location } from '../../../typings/api';

export interface MapMarker {
  id: number;
  latitude: number;
  longitude: number;
  iconPath: string;
  width: number;
  height: number;
  joinCluster: boolean;
  label?: { content: string; color: string; bgColor: string; fontSize: number; padding: number; borderRadius: number };
}

export interface MapCircle {
  latitude: number;
  longitude: number;
  radius: number;
  color: string;
  fillColor: string;
  strokeWidth: number;
}

export interface MapPoint {
  latitude: number;
  longitude: number;
}

type PinColour = 'active' | 'stopped' | 'arrears' | 'other';

const PIN_OF: Record<CardState, PinColour> = {
  active: 'active',
  suspended: 'stopped',
  arrears: 'arrears',
  inactive: 'other',
  closed: 'other',
  unknown: 'other',
};

/** The label colour for each pin (the same colours as app.wxss .state-*). */
const COLOUR: Record<PinColour, string> = {
  active: '#07c160',
  stopped: '#ee0a24',
  arrears: '#ff976a',
  other: '#969799',
};

const ICONS = '/pages/map/icons/';
/** The map centre before anything is located: the middle of China, zoomed out. */
export const CHINA = { latitude: 35.86, longitude: 104.19, scale: 4 };

/** ICCID's last six characters: enough to tell two cards of one vehicle apart. */
export const shortIccid = (iccid: string) => `…${iccid.slice(-6)}`;

export function markerOf(location: Location, id: number, selected = false): MapMarker {
  const pin = PIN_OF[location.state];
  const marker: MapMarker = {
    id,
    latitude: location.lat,
    longitude: location.lng,
    iconPath: `${ICONS}${selected ? 'selected' : pin}.png`,
    width: 24,
    height: 30,
    joinCluster: true,
  };
  // Only cards on a vehicle get a label: a few hundred unlabelled pins stay readable, plates are what people look for.
  if (location.plate) {
    marker.label = {
      content: location.plate,
      color: '#ffffff',
      bgColor: COLOUR[pin],
      fontSize: 11,
      padding: 3,
      borderRadius: 4,
    };
  }
  return marker;
}

export function circleOf(location: Location): MapCircle {
  return {
    latitude: location.lat,
    longitude: location.lng,
    radius: location.radius,
    color: '#1989fa99',
    fillColor: '#1989fa22',
    strokeWidth: 1,
  };
}

const METRES_PER_DEGREE = 111_320;

/** The four edges of the accuracy circle, so fitting the map to them shows the whole circle. */
export function pointsAround(location: Location): MapPoint[] {
  const dLat = location.radius / METRES_PER_DEGREE;
  const dLng = location.radius / (METRES_PER_DEGREE * Math.max(0.1, Math.cos((location.lat * Math.PI) / 180)));
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  return [
    { latitude: round(location.lat + dLat), longitude: location.lng },
    { latitude: round(location.lat - dLat), longitude: location.lng },
    { latitude: location.lat, longitude: round(location.lng + dLng) },
    { latitude: location.lat, longitude: round(location.lng - dLng) },
  ];
}

export const pointOf = (location: Location): MapPoint => ({ latitude: location.lat, longitude: location.lng });

/** "2000 米" / "1.5 公里". */
export function formatRadius(metres: number): string {
  if (metres < 1000) return `${Math.round(metres)} 米`;
  return `${Math.round(metres / 100) / 10} 公里`;
}
