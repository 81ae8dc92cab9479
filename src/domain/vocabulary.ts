// Enumerations and limits of the order model. Defined here (the innermost layer) and used
// by src/schemas to build the contracts, so both always agree.

export const PRIORITIES = ['same_day', 'next_day', 'standard'] as const;
export const ORDER_STATUSES = ['received', 'validated', 'wave_assigned', 'picking', 'packed', 'shipped', 'completed', 'cancelled'] as const;

/** Lines per order. */
export const MAX_ITEMS = 100;
/** Units per line. */
export const MAX_QUANTITY = 10_000;
