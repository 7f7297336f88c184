-- An older (macOS 10.12) chat.db: dates in seconds since 2001, no attributedBody/thread columns.
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT, group_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, PRIMARY KEY (chat_id, message_id));
INSERT INTO handle VALUES (1, '+14155550123', 'us', 'SMS', NULL);
INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name) VALUES (1, 'SMS;-;+14155550123', 45, '+14155550123', 'SMS', NULL);
INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me, service) VALUES
 (1, 'L1', 'Merry Christmas Dad 🎄', 1, 504316800, 0, 'SMS'),
 (2, 'L2', 'Merry Christmas, son. Drive carefully.', 0, 504316920, 1, 'SMS');
INSERT INTO chat_message_join VALUES (1,1),(1,2);
