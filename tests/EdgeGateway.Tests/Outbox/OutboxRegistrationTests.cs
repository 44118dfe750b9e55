using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Housekeeping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Outbox;

public sealed class OutboxRegistrationTests
{
    [Fact]
    public async Task AddOutbox_Configured_SinkStoresThroughSharedOutbox()
    {
        var directory = Path.Combine(Path.GetTempPath(), "outbox-di-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var provider = Build(directory, ("Outbox:Classes:telemetry:QuotaBytes", "1000000"), ("Outbox:LeaseTimeout", "00:00:10")))
            {
                var sink = provider.GetRequiredService<IObservationSink>();
                var outbox = provider.GetRequiredService<LiteDbOutbox>();

                var result = await sink.AcceptAsync(OutboxTestContext.Draft(PriorityClass.Telemetry), TestContext.Current.CancellationToken);

                Assert.Equal(EnqueueResult.Accepted, result);
                Assert.Same(outbox, provider.GetRequiredService<IOutbox>());
                Assert.Contains(provider.GetServices<IHostedService>(), s => s is OutboxMaintenanceService);
                Assert.Contains(provider.GetServices<IHealthContributor>(), c => c is OutboxHealthContributor);
                Assert.Equal(1_000_000, outbox.Classes[OutboxClassDefaults.IndexOf(PriorityClass.Telemetry)].QuotaBytes);
                Assert.Equal(Path.Combine(directory, "outbox.db"), outbox.DataFilePath);
            }

            Assert.True(File.Exists(Path.Combine(directory, "outbox.db")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("Outbox:LeaseTimeout", "00:00:00", "Outbox:LeaseTimeout")]
    [InlineData("Outbox:Classes:Bulk:MinimumShare", "0.75", "Outbox:Classes:Bulk:MinimumShare")]
    [InlineData("Outbox:Classes:Telemetrie:QuotaBytes", "1000000", "Outbox:Classes:Telemetrie")]
    public void AddOutbox_BadSetting_ValidationNamesIt(string key, string value, string expected)
    {
        using var provider = Build(Path.GetTempPath(), (key, value));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(string directory, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "vehicle-1",
            ["Gateway:DataDirectory"] = directory,
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        services.AddOutbox(configuration);
        return services.BuildServiceProvider();
    }
}
