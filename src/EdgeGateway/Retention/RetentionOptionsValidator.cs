using EdgeGateway.Outbox;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Retention;

/// <summary>Checks the per-class ages, which data annotations cannot describe.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var names = OutboxClassDefaults.All.Select(p => p.ToString()).ToArray();
        var failures = new List<string>();
        foreach (var (key, age) in options.Classes)
        {
            if (!names.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Retention:Classes:{key} is not a priority class; use one of: {string.Join(", ", names)}.");
            }
            else if (age < TimeSpan.Zero || age > TimeSpan.FromDays(90))
            {
                failures.Add($"Retention:Classes:{key} must be 0 to 90 days.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
