"""The web workspace: incidents, mentions, trends and sources for analysts and marketers (server rendered)."""
