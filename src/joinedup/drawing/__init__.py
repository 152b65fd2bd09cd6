"""Drawing for the reports: SVG charts written as text (svg_plot).

A package of its own, below outputs/ and waitlist/ and beside domain/, because both reports draw
with it and neither may import the other; it imports nothing from joinedup.
"""
