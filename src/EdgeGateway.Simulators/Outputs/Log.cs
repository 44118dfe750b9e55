using System.Net;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Simulators.Outputs;

/// <summary>Log messages of the simulator outputs (event ids 7050-7099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7050, Level = LogLevel.Information, Message = "Pseudo-terminal open: slave {SlavePath}, link {LinkPath}")]
    public static partial void PtyOpened(ILogger logger, string slavePath, string linkPath);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Information, Message = "Pseudo-terminal {SlavePath}: reader attached")]
    public static partial void PtyReaderAttached(ILogger logger, string slavePath);

    [LoggerMessage(EventId = 7052, Level = LogLevel.Warning, Message = "Pseudo-terminal {SlavePath}: no reader; output is dropped and counted until one opens it")]
    public static partial void PtyNoReader(ILogger logger, string slavePath);

    [LoggerMessage(EventId = 7053, Level = LogLevel.Warning, Message = "Pseudo-terminal {SlavePath}: reader not keeping up, dropping output")]
    public static partial void PtyReaderSlow(ILogger logger, string slavePath);

    [LoggerMessage(EventId = 7054, Level = LogLevel.Warning, Message = "Pseudo-terminal {SlavePath}: write failed, {Error}")]
    public static partial void PtyWriteFailed(ILogger logger, string slavePath, string error);

    [LoggerMessage(EventId = 7055, Level = LogLevel.Information, Message = "Pseudo-terminal {SlavePath} closed")]
    public static partial void PtyClosed(ILogger logger, string slavePath);

    [LoggerMessage(EventId = 7060, Level = LogLevel.Information, Message = "TCP output listening on {EndPoint}")]
    public static partial void TcpListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 7061, Level = LogLevel.Information, Message = "TCP client {Remote} connected ({Clients} connected)")]
    public static partial void TcpClientConnected(ILogger logger, EndPoint? remote, int clients);

    [LoggerMessage(EventId = 7062, Level = LogLevel.Information, Message = "TCP client {Remote} disconnected ({Clients} connected)")]
    public static partial void TcpClientDisconnected(ILogger logger, EndPoint? remote, int clients);

    [LoggerMessage(EventId = 7063, Level = LogLevel.Warning, Message = "TCP client {Remote} is not keeping up; dropping output for it")]
    public static partial void TcpClientSlow(ILogger logger, EndPoint? remote);

    [LoggerMessage(EventId = 7064, Level = LogLevel.Error, Message = "TCP accept failed")]
    public static partial void TcpAcceptFailed(ILogger logger, Exception exception);
}
