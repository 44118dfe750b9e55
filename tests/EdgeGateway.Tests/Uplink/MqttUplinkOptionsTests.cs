using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Uplink;

public sealed class MqttUplinkOptionsTests
{
    [Theory]
    [InlineData("Mqtt:ReconnectMax", "00:00:00.500", "Mqtt:ReconnectMax must not be shorter than Mqtt:ReconnectMin")]
    [InlineData("Mqtt:Port", "0", "Mqtt:Port")]
    [InlineData("Mqtt:AckTimeout", "00:00:00", "Mqtt:AckTimeout")]
    [InlineData("Mqtt:MaxBatch", "0", "Mqtt:MaxBatch")]
    public void AddMqttUplink_BadSetting_FailsNamingTheSetting(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Mqtt:ReconnectMin"] = "00:00:01", [key] = value })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddMqttUplink(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MqttUplinkOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMqttUplink_Durations_BindAsTimeSpans()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Mqtt:Host"] = "broker.example",
                ["Mqtt:SessionExpiry"] = "2.00:00:00",
                ["Mqtt:AckTimeout"] = "00:00:45",
                ["Mqtt:MaxMessagesPerSecond"] = "500",
            })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddMqttUplink(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MqttUplinkOptions>>().Value;
        Assert.Equal("broker.example", options.Host);
        Assert.Equal(TimeSpan.FromDays(2), options.SessionExpiry);
        Assert.Equal(TimeSpan.FromSeconds(45), options.AckTimeout);
        Assert.Equal(500, options.MaxMessagesPerSecond);
    }
}
