using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Outbox;

public sealed class OutboxOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new OutboxOptionsValidator().Validate(null, new OutboxOptions()).Succeeded);
    }

    [Fact]
    public void Validate_UnknownClassAndBadValues_FailNamingTheSetting()
    {
        var options = new OutboxOptions();
        options.Classes["Telemetrie"] = new OutboxClassOptions();
        options.Classes["Bulk"] = new OutboxClassOptions { QuotaBytes = 10, MinimumShare = 0.9, Expiry = TimeSpan.Zero };

        var result = new OutboxOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Outbox:Classes:Telemetrie", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Outbox:Classes:Bulk:QuotaBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Outbox:Classes:Bulk:MinimumShare", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Outbox:Classes:Bulk:Expiry", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_PartialClassSettings_MergedOverDefaults()
    {
        var options = new OutboxOptions();
        options.Classes["telemetry"] = new OutboxClassOptions { QuotaBytes = 1_000_000 };

        var telemetry = OutboxClassDefaults.Resolve(options)[OutboxClassDefaults.IndexOf(global::EdgeGateway.Contracts.V1.PriorityClass.Telemetry)];

        Assert.Equal(1_000_000, telemetry.QuotaBytes);
        Assert.Equal(TimeSpan.FromDays(7), telemetry.Expiry);
    }
}
