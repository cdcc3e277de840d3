"""DriveMaster's business rules and learning science.

Nothing in this package performs I/O or imports a framework: it declares ports
(``typing.Protocol``) for what it needs from outside, and the adapters in
``persistence`` and ``drivemaster`` implement them.
"""
