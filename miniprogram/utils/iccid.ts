// Reading what a scanner or a person typed: an ICCID (19–20 characters, 89…; some Unicom ICCIDs carry
// a letter, so the Luhn digit is only a hint) or an MSISDN.

export function normaliseCode(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

export function looksLikeIccid(text: string): boolean {
  return /^89[0-9A-Z]{17,18}$/.test(normaliseCode(text));
}

/** True when an all-digit ICCID's last digit checks out (Luhn); letters make the check not apply. */
export function luhnOk(iccid: string): boolean {
  if (!/^\d+$/.test(iccid)) return true;
  let sum = 0;
  for (let i = 0; i < iccid.length; i++) {
    let d = Number(iccid[iccid.length - 1 - i]);
    if (i % 2 === 1) d *= 2;
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
