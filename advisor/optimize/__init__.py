"""Proposals: the mandate and its limits, the optimizer, whole-share trades, diagnostics of an
infeasible mandate, the proposal itself and the trade-off frontier. Only this wing imports cvxpy."""
