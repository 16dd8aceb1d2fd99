"""Messages in (self-reports from .eml, .msg and sheets) and out (built, saved as .eml or
.msg drafts, sent over SMTP)."""
