"""Chat moderation: members report messages; the room's moderators remove them, dismiss the
reports, and silence members in a room for a while. Rules: `chat.selectors`."""
