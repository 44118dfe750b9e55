using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>
/// The six stored classes, their default settings, and how configuration is merged over them.
/// Evidence-grade classes keep messages for weeks; telemetry for a week (it thins and evicts anyway).
/// </summary>
internal static class OutboxClassDefaults
{
    /// <summary>Every class the outbox stores, most urgent first.</summary>
    public static readonly PriorityClass[] All =
    [
        PriorityClass.Emergency, PriorityClass.Alert, PriorityClass.Event,
        PriorityClass.Read, PriorityClass.Telemetry, PriorityClass.Bulk,
    ];

    private const long MiB = 1024L * 1024;

    /// <summary>
    /// The class index drops are counted under when their class is unknown: messages a salvage found damaged
    /// beyond telling their class, reported with <see cref="PriorityClass.Unspecified"/>.
    /// </summary>
    public const int UnknownClass = -1;

    /// <summary>The class at <paramref name="classIndex"/> of <see cref="All"/>; <see cref="PriorityClass.Unspecified"/> for <see cref="UnknownClass"/>.</summary>
    public static PriorityClass PriorityAt(int classIndex) => classIndex == UnknownClass ? PriorityClass.Unspecified : All[classIndex];

    /// <summary>Index 0..5 of a class in <see cref="All"/> (-1 if not stored).</summary>
    public static int IndexOf(PriorityClass priority) => priority is >= PriorityClass.Emergency and <= PriorityClass.Bulk
        ? (int)priority - 1
        : -1;

    /// <summary>The default settings of one class.</summary>
    public static OutboxClassSettings Default(PriorityClass priority) => priority switch
    {
        PriorityClass.Emergency => new(priority, TimeSpan.FromDays(30), 64 * MiB, 0),
        PriorityClass.Alert => new(priority, TimeSpan.FromDays(30), 128 * MiB, 0),
        PriorityClass.Event => new(priority, TimeSpan.FromDays(14), 256 * MiB, 0),
        PriorityClass.Read => new(priority, TimeSpan.FromDays(30), 1024 * MiB, 0.10),
        PriorityClass.Telemetry => new(priority, TimeSpan.FromDays(7), 512 * MiB, 0.15),
        PriorityClass.Bulk => new(priority, TimeSpan.FromDays(30), 1024 * MiB, 0.10),
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Not a stored priority class."),
    };

    /// <summary>Effective settings for every class, indexed like <see cref="All"/>.</summary>
    public static OutboxClassSettings[] Resolve(OutboxOptions options)
    {
        var result = new OutboxClassSettings[All.Length];
        for (var i = 0; i < All.Length; i++)
        {
            var defaults = Default(All[i]);
            var name = All[i].ToString();
            var configured = options.Classes.FirstOrDefault(c => string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            if (configured is not null)
            {
                defaults = defaults with
                {
                    Expiry = configured.Expiry ?? defaults.Expiry,
                    QuotaBytes = configured.QuotaBytes ?? defaults.QuotaBytes,
                    MinimumShare = configured.MinimumShare ?? defaults.MinimumShare,
                };
            }

            result[i] = defaults;
        }

        return result;
    }
}
