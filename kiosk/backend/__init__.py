"""The loyalty backend port and its adapters."""
