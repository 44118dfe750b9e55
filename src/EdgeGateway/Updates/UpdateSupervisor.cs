using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeGateway.Updates;

/// <summary>
/// Runs the current release as a child process and owns the update's last step: a version on trial
/// (<see cref="PendingUpdate"/>) must commit (write the state without its pending update) before the deadline;
/// if it exits first (a crash at start) or the deadline passes (never healthy), the supervisor stops it, points
/// <c>current</c> back at the previous slot, records why and starts the previous version again. A newly installed
/// update is picked up by stopping the running child cleanly (SIGTERM) and starting the new one. Without an update
/// in play, the child's exit ends the supervisor with the same code, for the service manager to act on.
/// </summary>
internal sealed partial class UpdateSupervisor(InstallLayout layout, TimeSpan healthDeadline, IReadOnlyList<string> arguments, TextWriter output, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private const int SigTerm = 15;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = layout.ReadState()
                ?? throw new UpdateRefusedException($"nothing is installed in {layout.Root}: install a first release with 'update apply'.");
            var candidate = state.Pending;
            if (candidate is { Started: true })
            {
                // Started before and neither committed nor rolled back: the supervisor itself was stopped mid-trial.
                RollBack(candidate, "the new version was restarted before it confirmed its health");
                continue;
            }

            if (candidate is not null)
            {
                candidate = candidate with { Started = true };
                (state with { Pending = candidate }).Write(layout.StatePath);
                layout.SwitchTo(candidate.Slot);
                await WriteAsync($"starting {candidate.Version} (slot {candidate.Slot}) on trial: it has {healthDeadline} to confirm its health").ConfigureAwait(false);
            }
            else
            {
                layout.SwitchTo(state.Slot);
                await WriteAsync($"starting {state.Version} (slot {state.Slot})").ConfigureAwait(false);
            }

            var slot = candidate?.Slot ?? state.Slot;
            var manifest = InstallLayout.ReadManifest(layout.SlotDirectory(slot));
            using var child = Start(Path.Combine(layout.CurrentLink, manifest.Entry), candidate?.Version);
            var started = time.GetTimestamp();
            string? failure = null;
            var stopRequested = false;
            while (!child.HasExited)
            {
                try
                {
                    await child.WaitForExitAsync(cancellationToken).WaitAsync(Poll, time, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    stopRequested = true;
                    await StopAsync(child).ConfigureAwait(false);
                    break;
                }

                var now = layout.ReadState();
                if (candidate is not null && now?.Pending is null)
                {
                    await WriteAsync($"{candidate.Version} committed: {now?.LastResult?.Reason}").ConfigureAwait(false);
                    candidate = null;
                }
                else if (candidate is not null && time.GetElapsedTime(started) > healthDeadline)
                {
                    failure = $"not healthy within {healthDeadline} (connected to FleetControl, watchdog healthy)";
                    await StopAsync(child).ConfigureAwait(false);
                }
                else if (candidate is null && now?.Pending is { Started: false } next)
                {
                    await WriteAsync($"update {next.Version} installed: stopping {state.Version} to start it").ConfigureAwait(false);
                    await StopAsync(child).ConfigureAwait(false);
                }
            }

            var exitCode = child.ExitCode;
            var after = layout.ReadState();
            if (candidate is not null && after?.Pending is { } pending && pending.Version == candidate.Version)
            {
                RollBack(pending, failure ?? string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode} before confirming its health"));
                if (!stopRequested)
                {
                    continue;
                }
            }

            if (stopRequested)
            {
                return 0;
            }

            if (after?.Pending is { Started: false })
            {
                continue;
            }

            await WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{state.Version} exited with code {exitCode}")).ConfigureAwait(false);
            return exitCode;
        }
    }

    private void RollBack(PendingUpdate pending, string reason)
    {
        layout.SwitchTo(pending.PreviousSlot);
        var state = layout.ReadState()!;
        (state with
        {
            Version = pending.PreviousVersion,
            Slot = pending.PreviousSlot,
            Pending = null,
            LastResult = new UpdateResult(pending.Version, UpdateResult.RolledBack, reason, UpdateInstaller.Now(time)),
        }).Write(layout.StatePath);
        output.WriteLine($"supervisor: update {pending.Version} rolled back to {pending.PreviousVersion} (slot {pending.PreviousSlot}): {reason}");
        output.Flush();
    }

    private Process Start(string program, string? candidate)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, WorkingDirectory = layout.Root };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[UpdateConfirmation.RootVariable] = layout.Root;
        // systemd's watchdog names the supervisor (WATCHDOG_PID); the gateway it runs is the one that makes progress
        // and pings (the unit says NotifyAccess=all), so the child takes the watchdog over.
        info.Environment.Remove("WATCHDOG_PID");
        if (candidate is null)
        {
            info.Environment.Remove(UpdateConfirmation.CandidateVariable);
        }
        else
        {
            info.Environment[UpdateConfirmation.CandidateVariable] = candidate;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
    }

    /// <summary>SIGTERM (a clean stop: the outbox is closed normally), then SIGKILL after <see cref="StopTimeout"/>.</summary>
    private static async Task StopAsync(Process child)
    {
        if (child.HasExited)
        {
            return;
        }

        _ = Kill(child.Id, SigTerm);
        try
        {
            await child.WaitForExitAsync().WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(string line)
    {
        await output.WriteLineAsync("supervisor: " + line).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
