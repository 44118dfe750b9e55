using System.Runtime.CompilerServices;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Outbox;

/// <summary>
/// The child side of the SIGKILL test: when the test assembly is started with
/// <see cref="DirectoryVariable"/> set, it enqueues through the sink on two streams until it is
/// killed, printing "A {messageId} {stream} {sequence}" only after each enqueue returned Accepted.
/// </summary>
internal static class OutboxCrashChild
{
    public const string DirectoryVariable = "EDGEGATEWAY_OUTBOX_CRASH_CHILD_DIR";

#pragma warning disable CA2255 // A module initializer is the entry point of the child process by design.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfChild()
    {
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        // Everything stays on this thread: other threads would wait for this module initializer
        // to finish before running any code of this assembly. The sink and the outbox complete
        // synchronously here (no contention), so blocking on them is safe.
        using var context = OutboxTestContext.Create(time: TimeProvider.System, directory: directory);
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        output.WriteLine("READY");
        var streams = new[] { ("anpr", PriorityClass.Read), ("gnss", PriorityClass.Telemetry) };
        for (var i = 0L; ; i++)
        {
            var (stream, priority) = streams[i % 2];
            var draft = OutboxTestContext.Draft(priority, stream, TimeProvider.System.GetUtcNow(), 200);
            if (context.Sink.AcceptAsync(draft, CancellationToken.None).AsTask().GetAwaiter().GetResult() == EnqueueResult.Accepted)
            {
                output.WriteLine($"A {draft.MessageId} {draft.Stream} {draft.Sequence}");
            }
        }
    }
}
