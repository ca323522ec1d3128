// How long the pay result waits between looks at an order that is not settled yet; after the last one it
// stops and says the platform will confirm later. Tests shorten it.
export const BACKOFF_MS: number[] = [1000, 2000, 3000, 5000, 8000];
