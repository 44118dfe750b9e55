using System.Buffers;

namespace EdgeGateway.Devices.Modem;

/// <summary>
/// Decodes a captured AT exchange (a gammu-style dump, a terminal log, a recording's device side) line
/// by line. A capture may lack echoes (echo off), so a prefixed line seen while no command is known to be
/// pending is held back until it is clear what it was: a final result code right after it makes it the
/// answer of an unechoed command; anything else (end of file, a new echo) leaves it unsolicited.
/// Never throws on content.
/// </summary>
internal static class AtCaptureDecoder
{
    /// <summary>How many lines may wait for a final result code before they are given out as unsolicited.</summary>
    private const int MaxHeldBack = 256;

    public static List<AtDecodedLine> Decode(ReadOnlySpan<byte> capture, AtReaderCounters counters)
    {
        var results = new List<AtDecodedLine>();
        var held = new List<Held>();
        var reader = new AtReader(counters);
        var dialogue = new AtDialogue();
        var buffer = new ReadOnlySequence<byte>(capture.ToArray());
        while (reader.TryRead(ref buffer, isFinalBlock: true, out var line))
        {
            var kind = dialogue.Classify(line, detectEchoes: true, out var command, out _, out _);
            var text = line.ToText();
            if (kind == AtLineKind.Echo)
            {
                Release(results, held);
                results.Add(new AtDecodedLine(text, kind, command, null));
                reader.ExpectPrompt = command is "CMGS" or "CMGW" or "CMGC" or "CMSS";
                continue;
            }

            if (kind == AtLineKind.Final && command is null && held.Count > 0)
            {
                command = Adopt(held);
            }

            if (kind == AtLineKind.Unsolicited && !dialogue.HasPending)
            {
                held.Add(new Held(text, command));
                if (held.Count > MaxHeldBack)
                {
                    Release(results, held);
                }

                continue;
            }

            Release(results, held);
            results.Add(Make(text, kind, command));
        }

        Release(results, held);
        return results;

        void Release(List<AtDecodedLine> into, List<Held> lines)
        {
            foreach (var h in lines)
            {
                into.Add(Make(h.Text, h.Adopted ? AtLineKind.Info : AtLineKind.Unsolicited, h.Command));
            }

            lines.Clear();
        }
    }

    /// <summary>
    /// A final result code arrived with no command known: the held-back lines just before it that share the
    /// last one's name (or have none) were that command's answer. Returns the command's name.
    /// </summary>
    private static string? Adopt(List<Held> held)
    {
        string? name = null;
        for (var i = held.Count - 1; i >= 0; i--)
        {
            var h = held[i];
            if (h.Command is not null)
            {
                if (name is not null && name != h.Command)
                {
                    break;
                }

                name = h.Command;
            }

            held[i] = h with { Adopted = true, Command = h.Command ?? name };
        }

        return name;
    }

    private static AtDecodedLine Make(string text, AtLineKind kind, string? command)
    {
        RegistrationReport? registration = null;
        if (kind is AtLineKind.Info or AtLineKind.Unsolicited && RegistrationReport.IsRegistrationName(command)
            && AtSyntax.ReplyName(System.Text.Encoding.Latin1.GetBytes(text)) == command)
        {
            var parameters = AtSyntax.Parameters(System.Text.Encoding.Latin1.GetBytes(text));
            registration = RegistrationReport.Parse(parameters, solicited: kind == AtLineKind.Info);
        }

        return new AtDecodedLine(text, kind, command, registration);
    }

    private readonly record struct Held(string Text, string? Command, bool Adopted = false);
}
