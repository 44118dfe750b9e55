namespace EdgeGateway.Hosting;

/// <summary>
/// Something to try before the host starts (e.g. binding a listening port), so that a failure is reported as
/// one line naming the setting to change and exit 78, instead of a "Hosting failed to start" stack trace
/// from the middle of start-up. Throw <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>
/// to refuse.
/// </summary>
internal interface IStartupCheck
{
    /// <summary>Runs the check; throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the setting to change.</summary>
    void Check();
}
