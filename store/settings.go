package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"briefbot/guild"
	"briefbot/schedule"
)

// GuildSettings returns the server's settings, or the defaults (the zero
// guild.Settings for guildID) when none were saved.
func (db *DB) GuildSettings(ctx context.Context, guildID string) (guild.Settings, error) {
	s := guild.Settings{GuildID: guildID}
	var ungrounded, quiet int
	err := db.r.QueryRowContext(ctx, `SELECT auto_summarize, reply_mode, language,
		show_ungrounded, quiet_empty_briefing FROM guild_settings WHERE guild_id = ?`, guildID).
		Scan(&s.AutoSummarize, &s.ReplyMode, &s.Language, &ungrounded, &quiet)
	if errors.Is(err, sql.ErrNoRows) {
		return guild.Settings{GuildID: guildID}, nil
	}
	if err != nil {
		return guild.Settings{}, fmt.Errorf("store: guild settings %s: %w", guildID, err)
	}
	s.ShowUngrounded = ungrounded != 0
	s.QuietEmptyBriefing = quiet != 0
	return s, nil
}

// SaveGuildSettings replaces the server's settings. It refuses values
// outside those guild.Settings documents.
func (db *DB) SaveGuildSettings(ctx context.Context, s guild.Settings) error {
	if s.GuildID == "" {
		return errors.New("store: save guild settings: no guild")
	}
	switch s.AutoSummarize {
	case "", "on", "react", "off":
	default:
		return fmt.Errorf("store: save guild settings %s: autosummarize %q is not on, react or off", s.GuildID, s.AutoSummarize)
	}
	switch s.ReplyMode {
	case "", "reply", "thread":
	default:
		return fmt.Errorf("store: save guild settings %s: reply mode %q is not reply or thread", s.GuildID, s.ReplyMode)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO guild_settings
			(guild_id, auto_summarize, reply_mode, language, show_ungrounded, quiet_empty_briefing, updated_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET
				auto_summarize = excluded.auto_summarize, reply_mode = excluded.reply_mode,
				language = excluded.language, show_ungrounded = excluded.show_ungrounded,
				quiet_empty_briefing = excluded.quiet_empty_briefing, updated_ms = excluded.updated_ms`,
			s.GuildID, s.AutoSummarize, s.ReplyMode, s.Language, boolInt(s.ShowUngrounded),
			boolInt(s.QuietEmptyBriefing), time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save guild settings %s: %w", s.GuildID, err)
	}
	return nil
}

// BriefingSettings returns the server's preferences for its briefings:
// those of GuildSettings.
func (db *DB) BriefingSettings(ctx context.Context, guildID string) (schedule.BriefingSettings, error) {
	s, err := db.GuildSettings(ctx, guildID)
	if err != nil {
		return schedule.BriefingSettings{}, err
	}
	return schedule.BriefingSettings{ShowUngrounded: s.ShowUngrounded, QuietEmpty: s.QuietEmptyBriefing}, nil
}
