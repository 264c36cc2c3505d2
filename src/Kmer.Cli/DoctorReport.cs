using System.Text;
using System.Text.Json;

namespace Kmer.Cli;

/// <summary>
/// Writes <c>kmer-cli doctor</c>'s checks: one line each
/// (<c>ok|warn|FAIL  check: finding</c>, then an indented <c>fix:</c> line
/// for warnings and failures), or a JSON array of
/// <c>{check, status, finding, fix}</c>.
/// </summary>
public static class DoctorReport
{
    /// <summary>Writes the checks as text.</summary>
    public static void WriteText(TextWriter output, IEnumerable<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(checks);
        foreach (DoctorCheck check in checks)
        {
            output.WriteLine($"{Label(check.Status),-4}  {check.Check}: {OneLine(check.Finding)}");
            if (check.Status != DoctorStatus.Ok && check.Fix is { } fix)
            {
                output.WriteLine($"      fix: {OneLine(fix)}");
            }
        }
    }

    /// <summary>Writes the checks as one JSON array; <c>fix</c> is null for passed checks.</summary>
    public static void WriteJson(TextWriter output, IEnumerable<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(checks);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartArray();
            foreach (DoctorCheck check in checks)
            {
                json.WriteStartObject();
                json.WriteString("check", check.Check);
                json.WriteString("status", StatusName(check.Status));
                json.WriteString("finding", check.Finding);
                if (check.Fix is { } fix && check.Status != DoctorStatus.Ok)
                {
                    json.WriteString("fix", fix);
                }
                else
                {
                    json.WriteNull("fix");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>The exit code for <paramref name="checks"/>: 1 when any failed, else 0 (warnings allowed).</summary>
    public static int ExitCode(IEnumerable<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        return checks.Any(c => c.Status == DoctorStatus.Fail) ? 1 : 0;
    }

    /// <summary>The status as JSON has it: <c>ok</c>, <c>warn</c> or <c>fail</c>.</summary>
    public static string StatusName(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        _ => "fail",
    };

    private static string Label(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        _ => "FAIL",
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
