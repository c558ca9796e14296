namespace Byoc.AppHost.Orchestration;

/// <summary>
/// The AppHost's console: every resource's output line prefixed with the instance name, coloured per resource
/// when the console is a terminal, and kept in a bounded buffer per instance for the status page.
/// </summary>
internal sealed class ConsoleLog
{
    private const int LinesKept = 500;
    private static readonly string[] Colours = ["\u001b[36m", "\u001b[35m", "\u001b[33m", "\u001b[32m", "\u001b[34m", "\u001b[91m", "\u001b[96m", "\u001b[95m"];
    private const string Reset = "\u001b[0m";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<string>> _buffers = [];
    private readonly Dictionary<string, string> _colourOf = [];
    private readonly TextWriter _out;
    private readonly bool _colour;
    private int _width = 12;

    public ConsoleLog(TextWriter output, bool colour)
    {
        _out = output;
        _colour = colour;
    }

    public bool IsColoured => _colour;

    public static ConsoleLog ForConsole() =>
        new(Console.Out, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    public void Register(string source)
    {
        lock (_gate)
        {
            RegisterLocked(source);
        }
    }

    public void Write(string source, string line)
    {
        lock (_gate)
        {
            RegisterLocked(source);
            var buffer = _buffers[source];
            buffer.Enqueue(line);
            if (buffer.Count > LinesKept)
            {
                buffer.Dequeue();
            }

            var prefix = source.PadRight(_width);
            _out.WriteLine(_colour ? $"{_colourOf[source]}{prefix} |{Reset} {line}" : $"{prefix} | {line}");
        }
    }

    private void RegisterLocked(string source)
    {
        if (!_colourOf.ContainsKey(source))
        {
            _colourOf[source] = Colours[_colourOf.Count % Colours.Length];
            _buffers[source] = new Queue<string>();
            _width = Math.Max(_width, source.Length);
        }
    }

    public IReadOnlyList<string> Lines(string source)
    {
        lock (_gate)
        {
            return _buffers.TryGetValue(source, out var buffer) ? [.. buffer] : [];
        }
    }

    /// <summary>A block printed as is (the resource table).</summary>
    public void WriteBlock(string text)
    {
        lock (_gate)
        {
            _out.WriteLine(text);
        }
    }
}
