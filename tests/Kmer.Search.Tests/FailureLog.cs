using System.Text;

namespace Kmer.Search.Tests;

/// <summary>
/// Collects disagreements so one run reports all of them (the first few in
/// full) instead of stopping at the first.
/// </summary>
internal sealed class FailureLog
{
    private const int Shown = 20;

    private readonly List<string> _messages = [];

    public int Count { get; private set; }

    public void Add(string message)
    {
        Count++;
        if (_messages.Count < Shown)
        {
            _messages.Add(message);
        }
    }

    public string Report()
    {
        var report = new StringBuilder();
        report.Append(Count).AppendLine(" disagreement(s)" + (Count > Shown ? $"; the first {Shown}:" : ":"));
        foreach (string message in _messages)
        {
            report.AppendLine(message);
        }

        return report.ToString();
    }
}
