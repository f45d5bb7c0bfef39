// Time as the server sees it: one function, so tests can freeze or advance it.
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
