using System.Security.Cryptography;
using FleetCtl;
using FleetControl.Identity;
using Microsoft.Extensions.DependencyInjection;
using FleetControl.Tests.Infrastructure;
using Grpc.Core;

namespace FleetControl.Tests.Identity;

/// <summary><c>fleetctl devices enrol</c> and <c>revoke</c> against FleetControl with mutual TLS.</summary>
public sealed class FleetCtlIdentityTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), "--Identity:DevelopmentPlaintext=false");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task EnrolToTokenFile_TokenWorksOnceAndIsNotPrinted_RevokeCountsTheCertificate()
    {
        var tokenFile = Path.Combine(_data.Path, "car-1.token");
        var caFile = Path.Combine(_data.Path, "ca.crt");

        var (enrolCode, enrolOut) = await RunAsync("devices", "enrol", "car-1", "--out", tokenFile, "--ca-file", caFile);
        var token = (await File.ReadAllTextAsync(tokenFile, TestContext.Current.CancellationToken)).Trim();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var reply = await EnrolledDevice.EnrolAsync(_fleet, "car-1", token, key);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var replay = await Assert.ThrowsAsync<RpcException>(() => EnrolledDevice.EnrolAsync(_fleet, "car-1", token, otherKey));
        var (revokeCode, revokeOut) = await RunAsync("devices", "revoke", "car-1", "--json");

        Assert.Equal(0, enrolCode);
        Assert.DoesNotContain(token, enrolOut, StringComparison.Ordinal);
        Assert.False(EdgeGateway.Contracts.Security.PrivateFile.IsTooOpen(tokenFile));
        Assert.Contains("BEGIN CERTIFICATE", await File.ReadAllTextAsync(caFile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.NotEmpty(reply.CertificatePem);
        Assert.Equal(StatusCode.PermissionDenied, replay.StatusCode);
        Assert.Equal(0, revokeCode);
        Assert.Contains("\"revokedCertificates\": 1", revokeOut, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Out)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await FleetCtlApp.RunAsync([.. args, "--url", _fleet.RestUri.ToString(), "--cacert", _fleet.Services.GetRequiredService<CertificateAuthority>().RootFile, .. _fleet.TokenFileArguments(global::FleetControl.Auth.Roles.Administrator, _data.Path)], stdout, stderr, cancellationToken: TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        return (code, stdout.ToString() + stderr);
    }
}
