using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox;

/// <summary>Checks the per-class dictionary, which data annotations cannot describe.</summary>
internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var failures = new List<string>();
        var names = OutboxClassDefaults.All.Select(p => p.ToString()).ToArray();
        foreach (var (key, value) in options.Classes)
        {
            if (!Enum.TryParse<PriorityClass>(key, ignoreCase: true, out var priority) || OutboxClassDefaults.IndexOf(priority) < 0
                || !names.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Outbox:Classes:{key} is not a priority class; use one of: {string.Join(", ", names)}.");
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (value.Expiry is { } expiry && (expiry <= TimeSpan.Zero || expiry > TimeSpan.FromDays(3650)))
            {
                failures.Add($"Outbox:Classes:{key}:Expiry must be between 0 (exclusive) and 3650 days.");
            }

            if (value.QuotaBytes is { } quota && quota < 64 * 1024)
            {
                failures.Add($"Outbox:Classes:{key}:QuotaBytes must be at least 65536.");
            }

            if (value.MinimumShare is { } share && (double.IsNaN(share) || share < 0 || share > 0.5))
            {
                failures.Add($"Outbox:Classes:{key}:MinimumShare must be between 0 and 0.5.");
            }
        }

        if (failures.Count == 0)
        {
            var shares = OutboxClassDefaults.Resolve(options).Sum(c => c.MinimumShare);
            if (shares > 0.9)
            {
                failures.Add($"Outbox:Classes:*:MinimumShare values add up to {shares:0.##}; keep the sum at or below 0.9.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
