"""The spiders: one per portal (`portals.py`, made from `crawler.portals.PORTALS`) and `column`."""
