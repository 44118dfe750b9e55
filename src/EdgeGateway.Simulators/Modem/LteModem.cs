namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// A simulated LTE modem (3GPP TS 27.007), as an ESN vehicle modem answers: <c>AT+CEREG=n</c>/<c>AT+CEREG?</c>
/// (with TAC and cell id in hex, quoted, from n=2), unsolicited <c>+CEREG</c> on coverage changes,
/// <c>AT+CESQ</c> (RSRQ and RSRP coded, 255 unknown), <c>AT+CSQ</c>, <c>AT+COPS?</c>, <c>AT+CGATT?</c>,
/// <c>AT+CGPADDR</c> (an address only while attached), <c>+CME ERROR</c> for what it does not know.
/// </summary>
internal sealed class LteModem(bool echo, TimeSpan replyDelay, Action<ReadOnlyMemory<byte>> write, TimeProvider time)
    : AtDevice(echo, replyDelay, write, time)
{
    private const string Tac = "\"1A2B\"";
    private const string CellId = "\"01C2D3E4\"";

    private volatile LteCoverage _coverage = LteCoverage.Good;
    private int _ceregMode;

    /// <summary>For STATS lines.</summary>
    public string Counters => $"commands={Commands} replayed={Replayed} coverage={_coverage}";

    /// <summary>Raised after each coverage change (the data path follows it).</summary>
    public event Action<LteCoverage>? CoverageChanged;

    /// <summary>Coverage changes; a registration change is reported as <c>+CEREG</c> when enabled.</summary>
    public void SetCoverage(LteCoverage coverage)
    {
        var before = _coverage;
        _coverage = coverage;
        CoverageChanged?.Invoke(coverage);
        if ((before == LteCoverage.Lost) != (coverage == LteCoverage.Lost) && Volatile.Read(ref _ceregMode) > 0)
        {
            Unsolicited($"+CEREG: {RegistrationFields(withMode: false)}");
        }
    }

    protected override string Answer(string command)
    {
        var registered = _coverage != LteCoverage.Lost;
        switch (command)
        {
            case "AT+CEREG?":
                return $"\r\n+CEREG: {RegistrationFields(withMode: true)}\r\n\r\nOK\r\n";
            case "AT+CESQ":
                // rsrq 0-34 (−19.5 dB + n/2), rsrp 0-97 (−140 dBm + n); 255 = not known.
                return _coverage switch
                {
                    LteCoverage.Good => "\r\n+CESQ: 99,99,255,255,28,55\r\n\r\nOK\r\n",
                    LteCoverage.Poor => "\r\n+CESQ: 99,99,255,255,8,22\r\n\r\nOK\r\n",
                    _ => "\r\n+CESQ: 99,99,255,255,255,255\r\n\r\nOK\r\n",
                };
            case "AT+CSQ":
                return _coverage switch
                {
                    LteCoverage.Good => "\r\n+CSQ: 24,99\r\n\r\nOK\r\n",
                    LteCoverage.Poor => "\r\n+CSQ: 6,99\r\n\r\nOK\r\n",
                    _ => "\r\n+CSQ: 99,99\r\n\r\nOK\r\n",
                };
            case "AT+COPS?":
                return registered ? "\r\n+COPS: 0,0,\"EE ESN\",7\r\n\r\nOK\r\n" : "\r\n+COPS: 0\r\n\r\nOK\r\n";
            case "AT+CGATT?":
                return $"\r\n+CGATT: {(registered ? 1 : 0)}\r\n\r\nOK\r\n";
            case "AT+CGPADDR=1":
            case "AT+CGPADDR":
                return registered ? "\r\n+CGPADDR: 1,\"10.64.12.7\"\r\n\r\nOK\r\n" : "\r\n+CGPADDR: 1\r\n\r\nOK\r\n";
        }

        if (command.StartsWith("AT+CEREG=", StringComparison.Ordinal) && int.TryParse(command.AsSpan(9), out var mode) && mode is >= 0 and <= 5)
        {
            Volatile.Write(ref _ceregMode, mode);
            return "\r\nOK\r\n";
        }

        return command.StartsWith("AT+CMEE=", StringComparison.Ordinal) ? "\r\nOK\r\n" : "\r\n+CME ERROR: 4\r\n";
    }

    private string RegistrationFields(bool withMode)
    {
        var mode = Volatile.Read(ref _ceregMode);
        var prefix = withMode ? $"{mode}," : string.Empty;
        if (_coverage == LteCoverage.Lost)
        {
            return prefix + "2"; // searching
        }

        return mode >= 2 ? $"{prefix}1,{Tac},{CellId},7" : prefix + "1";
    }
}
