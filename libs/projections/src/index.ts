/**
 * Read models (balances, ledger lines, fund usage, stock, leaderboards, selections) and their
 * runner arrive with issue 03; they read the log only through the event-store port.
 */
export {};
