package discordtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// File is an attachment sent with a message (a multipart request's
// files[n] part).
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Discord's attachment limits for a bot in a server without boosts.
const (
	MaxFiles      = 10
	MaxFilesBytes = 10 << 20
)

// readMultipart reads a multipart/form-data body as Discord does: the
// message JSON in the payload_json part, attachments in files[n] parts.
// isMultipart is false (and the rest zero) for any other content type.
func readMultipart(contentType string, body []byte) (files []File, payload []byte, isMultipart bool, err error) {
	mt, params, perr := mime.ParseMediaType(contentType)
	if perr != nil || mt != "multipart/form-data" {
		return nil, nil, false, nil
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	total := 0
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, true, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, true, err
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "files["):
			if part.FileName() == "" {
				return nil, nil, true, fmt.Errorf("%s: no filename", name)
			}
			total += len(data)
			files = append(files, File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
		default:
			return nil, nil, true, fmt.Errorf("unknown part %q", name)
		}
	}
	switch {
	case payload == nil:
		return nil, nil, true, errors.New("no payload_json part")
	case len(files) > MaxFiles:
		return nil, nil, true, fmt.Errorf("%d files; at most %d", len(files), MaxFiles)
	case total > MaxFilesBytes:
		return nil, nil, true, fmt.Errorf("files of %d bytes; at most %d", total, MaxFilesBytes)
	}
	return files, payload, true, nil
}

// attachments describes files as the attachments of a created message.
func attachments(s *Server, files []File) []*discordgo.MessageAttachment {
	out := []*discordgo.MessageAttachment{}
	for i, f := range files {
		id := fmt.Sprint(i)
		if s != nil {
			id = s.newIDLocked()
		}
		out = append(out, &discordgo.MessageAttachment{ID: id, Filename: f.Name, ContentType: f.ContentType, Size: len(f.Data)})
	}
	return out
}
