package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's message limits, counted in characters (code points).
const (
	MaxContent          = 2000
	MaxEmbeds           = 10
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxAuthorName       = 256
	// MaxEmbedTotal bounds the title, description, field names and values,
	// footer text and author name of all embeds of one message together.
	MaxEmbedTotal = 6000
	// MaxChoices bounds autocomplete results and command choices.
	MaxChoices = 25
)

func runes(s string) int { return utf8.RuneCountInString(s) }

type textLimit struct {
	field string
	text  string
	max   int
}

// ValidateMessage reports the first of Discord's message limits that
// content and embeds break, or nil. It checks lengths, counts, that embed
// fields have a name and a value, and that embed URLs are http(s).
func ValidateMessage(content string, embeds []*discordgo.MessageEmbed) error {
	if n := runes(content); n > MaxContent {
		return fmt.Errorf("content: %d characters; at most %d", n, MaxContent)
	}
	if len(embeds) > MaxEmbeds {
		return fmt.Errorf("embeds: %d; at most %d", len(embeds), MaxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			return fmt.Errorf("embeds.%d: null", i)
		}
		checks := []textLimit{
			{"title", e.Title, MaxEmbedTitle},
			{"description", e.Description, MaxEmbedDescription},
		}
		if e.Footer != nil {
			checks = append(checks, textLimit{"footer.text", e.Footer.Text, MaxFooterText})
		}
		if e.Author != nil {
			checks = append(checks, textLimit{"author.name", e.Author.Name, MaxAuthorName})
		}
		for _, c := range checks {
			n := runes(c.text)
			if n > c.max {
				return fmt.Errorf("embeds.%d.%s: %d characters; at most %d", i, c.field, n, c.max)
			}
			total += n
		}
		if len(e.Fields) > MaxEmbedFields {
			return fmt.Errorf("embeds.%d.fields: %d; at most %d", i, len(e.Fields), MaxEmbedFields)
		}
		for j, f := range e.Fields {
			if f == nil {
				return fmt.Errorf("embeds.%d.fields.%d: null", i, j)
			}
			nn, nv := runes(f.Name), runes(f.Value)
			switch {
			case strings.TrimSpace(f.Name) == "":
				return fmt.Errorf("embeds.%d.fields.%d.name: required", i, j)
			case strings.TrimSpace(f.Value) == "":
				return fmt.Errorf("embeds.%d.fields.%d.value: required", i, j)
			case nn > MaxFieldName:
				return fmt.Errorf("embeds.%d.fields.%d.name: %d characters; at most %d", i, j, nn, MaxFieldName)
			case nv > MaxFieldValue:
				return fmt.Errorf("embeds.%d.fields.%d.value: %d characters; at most %d", i, j, nv, MaxFieldValue)
			}
			total += nn + nv
		}
		if e.Color < 0 || e.Color > 0xFFFFFF {
			return fmt.Errorf("embeds.%d.color: %d out of range", i, e.Color)
		}
		urls := map[string]string{"url": e.URL}
		if e.Author != nil {
			urls["author.url"] = e.Author.URL
		}
		if e.Thumbnail != nil {
			urls["thumbnail.url"] = e.Thumbnail.URL
		}
		if e.Image != nil {
			urls["image.url"] = e.Image.URL
		}
		for field, u := range urls {
			if u != "" && !wellFormedURL(u) {
				return fmt.Errorf("embeds.%d.%s: not a well formed URL: %q", i, field, u)
			}
		}
	}
	if total > MaxEmbedTotal {
		return fmt.Errorf("embeds: %d characters in all; at most %d", total, MaxEmbedTotal)
	}
	return nil
}

func wellFormedURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2048
}

// validAllowedMentions checks the shape of an allowed_mentions object, when
// present.
func validAllowedMentions(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var am struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(raw, &am); err != nil {
		return fmt.Errorf("allowed_mentions: %w", err)
	}
	for _, p := range am.Parse {
		if p != "users" && p != "roles" && p != "everyone" {
			return fmt.Errorf("allowed_mentions.parse: unknown type %q", p)
		}
		if p == "users" && len(am.Users) > 0 || p == "roles" && len(am.Roles) > 0 {
			return fmt.Errorf("allowed_mentions: parse %q is mutually exclusive with a %s list", p, p)
		}
	}
	return nil
}

func validChoices(choices []*discordgo.ApplicationCommandOptionChoice) error {
	if len(choices) > MaxChoices {
		return fmt.Errorf("choices: %d; at most %d", len(choices), MaxChoices)
	}
	for i, c := range choices {
		if n := runes(c.Name); n < 1 || n > 100 {
			return fmt.Errorf("choices.%d.name: %d characters; want 1 to 100", i, n)
		}
		switch v := c.Value.(type) {
		case string:
			if n := runes(v); n < 1 || n > 100 {
				return fmt.Errorf("choices.%d.value: %d characters; want 1 to 100", i, n)
			}
		case float64:
		default:
			return fmt.Errorf("choices.%d.value: %T is neither a string nor a number", i, c.Value)
		}
	}
	return nil
}

// chatName is the rule for slash command and option names.
var chatName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// ValidateCommands reports the first rule of Discord's command
// registration that cmds break, or nil: names and descriptions, option
// counts and order, choices, subcommand nesting, and at most 5 message
// and 5 user commands.
func ValidateCommands(cmds []*discordgo.ApplicationCommand) error {
	seen := map[string]bool{}
	count := map[discordgo.ApplicationCommandType]int{}
	for i, c := range cmds {
		typ := c.Type
		if typ == 0 {
			typ = discordgo.ChatApplicationCommand
		}
		count[typ]++
		key := fmt.Sprint(typ, "/", c.Name)
		if seen[key] {
			return fmt.Errorf("commands.%d.name: %q registered twice", i, c.Name)
		}
		seen[key] = true
		switch typ {
		case discordgo.ChatApplicationCommand:
			if !chatName.MatchString(c.Name) || strings.ToLower(c.Name) != c.Name {
				return fmt.Errorf("commands.%d.name: %q is not a valid slash command name", i, c.Name)
			}
			if n := runes(c.Description); n < 1 || n > 100 {
				return fmt.Errorf("commands.%d.description: %d characters; want 1 to 100", i, n)
			}
			if err := validOptions(c.Options, 0); err != nil {
				return fmt.Errorf("commands.%d (%s).%w", i, c.Name, err)
			}
		case discordgo.MessageApplicationCommand, discordgo.UserApplicationCommand:
			if n := runes(c.Name); n < 1 || n > 32 {
				return fmt.Errorf("commands.%d.name: %d characters; want 1 to 32", i, n)
			}
			if c.Description != "" || len(c.Options) > 0 {
				return fmt.Errorf("commands.%d: context menu commands take no description or options", i)
			}
		default:
			return fmt.Errorf("commands.%d.type: unknown type %d", i, c.Type)
		}
	}
	if count[discordgo.ChatApplicationCommand] > 100 || count[discordgo.MessageApplicationCommand] > 5 || count[discordgo.UserApplicationCommand] > 5 {
		return errors.New("commands: too many commands of one type")
	}
	return nil
}

// validOptions checks a level of options; depth is 0 for a command's own
// options, 1 inside a subcommand group, 2 inside a subcommand.
func validOptions(opts []*discordgo.ApplicationCommandOption, depth int) error {
	if len(opts) > 25 {
		return fmt.Errorf("options: %d; at most 25", len(opts))
	}
	subs, optional := 0, false
	names := map[string]bool{}
	for i, o := range opts {
		if !chatName.MatchString(o.Name) || strings.ToLower(o.Name) != o.Name {
			return fmt.Errorf("options.%d.name: %q is not a valid option name", i, o.Name)
		}
		if names[o.Name] {
			return fmt.Errorf("options.%d.name: %q used twice", i, o.Name)
		}
		names[o.Name] = true
		if n := runes(o.Description); n < 1 || n > 100 {
			return fmt.Errorf("options.%d.description: %d characters; want 1 to 100", i, n)
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommandGroup:
			subs++
			if depth != 0 {
				return fmt.Errorf("options.%d: a subcommand group must be at the top level", i)
			}
			for j, sub := range o.Options {
				if sub.Type != discordgo.ApplicationCommandOptionSubCommand {
					return fmt.Errorf("options.%d.options.%d: a group holds only subcommands", i, j)
				}
			}
			if err := validOptions(o.Options, 1); err != nil {
				return fmt.Errorf("options.%d.%w", i, err)
			}
		case discordgo.ApplicationCommandOptionSubCommand:
			subs++
			if depth > 1 {
				return fmt.Errorf("options.%d: subcommands do not nest", i)
			}
			if o.Required {
				return fmt.Errorf("options.%d.required: a subcommand cannot be required", i)
			}
			if err := validOptions(o.Options, 2); err != nil {
				return fmt.Errorf("options.%d.%w", i, err)
			}
		default:
			if depth == 1 {
				return fmt.Errorf("options.%d: a group holds only subcommands", i)
			}
			if !o.Required {
				optional = true
			} else if optional {
				return fmt.Errorf("options.%d.required: required options must come before optional ones", i)
			}
			if o.Autocomplete && len(o.Choices) > 0 {
				return fmt.Errorf("options.%d: autocomplete and choices are mutually exclusive", i)
			}
			if o.Autocomplete && !slices.Contains([]discordgo.ApplicationCommandOptionType{
				discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionNumber,
			}, o.Type) {
				return fmt.Errorf("options.%d: autocomplete needs a string or number option", i)
			}
			if err := validChoices(o.Choices); err != nil {
				return fmt.Errorf("options.%d.%w", i, err)
			}
		}
	}
	if subs > 0 && subs != len(opts) {
		return errors.New("options: subcommands cannot be mixed with other options")
	}
	return nil
}
