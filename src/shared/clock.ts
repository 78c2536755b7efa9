/** The current time, injected so that domain code and tests never read the wall clock directly. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
