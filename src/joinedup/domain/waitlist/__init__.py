"""Pure rules of pooled waiting lists: priorities and targets, queue formulas, booking order.

Why a package of its own in the domain: the allocation (greedy and optimiser), the simulation and
the planning calculator must all apply the same rules, and an analyst must be able to read them
without any solver, dataframe or file format in the way. Everything here is standard library only.
"""
