"""esp: the ESP certification team's daily work on their Excel tracker, from the terminal."""

__version__ = "0.1.0"
