// What a scan gave (a barcode's digits, a QR code's URL or JSON) → the ICCID or MSISDN it carries.
export const ICCID_PATTERN = /^89[0-9A-Za-z]{17,18}$/;

export type ScannedCode = { kind: 'iccid'; value: string; luhnOk: boolean | null } | { kind: 'msisdn'; value: string };

/** Luhn check of an all-digit ICCID; null when it has letters (some Unicom ICCIDs do, and carry no check digit). */
export function luhnValid(iccid: string): boolean | null {
  if (!/^\d+$/.test(iccid)) return null;
  let sum = 0;
  for (let i = 0; i < iccid.length; i++) {
    let d = Number(iccid[iccid.length - 1 - i]);
    if (i % 2 === 1) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseScannedCode(raw: string): ScannedCode | null {
  const text = decoded(raw.replace(/\s+/g, ''));
  const iccid =
    /(?<![0-9A-Za-z])89[0-9A-Za-z]{17,18}(?![0-9A-Za-z])/.exec(text)?.[0] ?? /(?<!\d)89\d{17,18}(?!\d)/.exec(text)?.[0];
  if (iccid) {
    const value = iccid.toUpperCase();
    return { kind: 'iccid', value, luhnOk: luhnValid(value) };
  }
  const number = /(?<!\d)\d{11,13}(?!\d)/.exec(text)?.[0];
  if (!number) return null;
  // +86 before an 11-digit mobile number is the country code, not part of the MSISDN.
  return { kind: 'msisdn', value: /^861\d{10}$/.test(number) ? number.slice(2) : number };
}
