// One row of the card list: plate, carrier, the carrier's status words coloured by state, a pending
// badge, the period's data as a bar and the days left. Tap opens the card; long-press starts selecting.
import type { RowView } from './row';

Component({
  properties: {
    row: { type: Object, value: {} as RowView },
    selecting: { type: Boolean, value: false },
  },
  methods: {
    onTap() {
      this.triggerEvent('open', { iccid: (this.data.row as RowView).iccid });
    },
    onHold() {
      this.triggerEvent('hold', { iccid: (this.data.row as RowView).iccid });
    },
  },
});
