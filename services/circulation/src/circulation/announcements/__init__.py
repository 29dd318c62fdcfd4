"""Announcements to patrons, per branch or network-wide, shown in a date window."""
