// Opening the map tab at one card. A tab page cannot take a query (wx.switchTab drops it, wx.navigateTo
// refuses tab pages), so the card waits here and the map page picks it up when it shows.
let focus: string | null = null;

/** Switches to the map tab showing this card's last location. */
export function showCardOnMap(iccid: string): void {
  focus = iccid;
  wx.switchTab({ url: '/pages/map/index' });
}

/** The card a page asked the map to show, once; null when none did. */
export function takeMapFocus(): string | null {
  const iccid = focus;
  focus = null;
  return iccid;
}
