using System.Globalization;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// A script for the simulated harness, one step per line, <c>#</c> comments:
/// <code>
/// 10s light-bar on
/// 40s accel 1.5      # 1.5 g horizontal for a moment (a crash pulse)
/// 55s officer-button press
/// 60s light-bar off
/// 80s supply 11.2    # volts
/// 90s ignition off
/// </code>
/// Offsets are <c>N</c>s, <c>N</c>ms or <c>N</c>m after the gateway starts; steps may come in any order. An input's
/// <c>on</c>/<c>off</c> at <c>0s</c> is the harness as wired when the gateway starts (e.g. <c>0s ignition on</c>): it is
/// set before the inputs are first read (<see cref="IsInitialState"/>).
/// </summary>
internal static class VehicleScenario
{
    /// <summary>True for an input's <c>on</c>/<c>off</c> at offset zero: the harness's state when the gateway starts.</summary>
    public static bool IsInitialState(ScenarioStep step) =>
        step.Offset == TimeSpan.Zero && step.Target is not ("accel" or "supply") && step.Action is "on" or "off";

    /// <summary>Parses <paramref name="lines"/>; every problem is returned with its line number, nothing is thrown.</summary>
    public static (IReadOnlyList<ScenarioStep> Steps, IReadOnlyList<string> Errors) Parse(IEnumerable<string> lines, IReadOnlyCollection<string> inputSources)
    {
        var steps = new List<ScenarioStep>();
        var errors = new List<string>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3)
            {
                errors.Add($"line {number}: expected 'OFFSET TARGET ACTION', got '{line}'");
                continue;
            }

            if (!TryParseOffset(parts[0], out var offset))
            {
                errors.Add($"line {number}: '{parts[0]}' is not an offset such as 10s, 500ms or 2m");
                continue;
            }

            var (target, action) = (parts[1], parts[2].ToLowerInvariant());
            if (target is "accel" or "supply")
            {
                if (!double.TryParse(action, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 32)
                {
                    errors.Add($"line {number}: {target} takes a number ({(target == "accel" ? "g" : "volts")}), got '{parts[2]}'");
                    continue;
                }

                steps.Add(new ScenarioStep(offset, target, action, value, line));
            }
            else if (!inputSources.Contains(target))
            {
                errors.Add($"line {number}: '{target}' is neither accel, supply nor a configured input ({string.Join(", ", inputSources)})");
            }
            else if (action is not ("on" or "off" or "press"))
            {
                errors.Add($"line {number}: an input takes on, off or press, got '{parts[2]}'");
            }
            else
            {
                steps.Add(new ScenarioStep(offset, target, action, 0, line));
            }
        }

        steps.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return (steps, errors);
    }

    private static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = default;
        var (digits, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (string.Empty, 0.0);
        if (unit == 0 || !double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 86_400)
        {
            return false;
        }

        offset = TimeSpan.FromSeconds(value * unit);
        return true;
    }
}
