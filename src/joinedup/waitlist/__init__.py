"""Pooled waiting lists across trusts: synthetic lists, theatre capacity, allocation, simulation.

Why a capability of its own: an ICS pooling trusts' lists needs to decide who goes on which shared
theatre session, how much capacity a list needs and what pooling does compared with adding
capacity. The rules (priority, booking order, queue formulas) live in
``joinedup.domain.waitlist``; this package holds the machinery: the capacity file, the greedy rule
and the OR-Tools CP-SAT optimiser, the week-by-week simulation and its report. See
docs/waitlist.md.
"""
