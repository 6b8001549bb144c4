/**
 * Limits of the contact list shared by the query service and the API's parameter schema. A module
 * of its own so the two can import each other's other parts without an import cycle.
 */
export const MAX_PAGE = 500;
