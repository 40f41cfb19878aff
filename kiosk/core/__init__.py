"""Pure domain logic: no I/O, no pygame, no threads. Everything here is unit-tested without fakes."""
