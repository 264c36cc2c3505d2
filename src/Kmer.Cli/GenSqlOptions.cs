namespace Kmer.Cli;

/// <summary>What <c>kmer-cli gen-sql</c> was asked to do; with neither path it writes the SQL to stdout.</summary>
/// <param name="OutputPath">Write the SQL to this file (only when its content changes), or null.</param>
/// <param name="CheckPath">Compare this file with the SQL and report a difference, or null.</param>
public sealed record GenSqlOptions(string? OutputPath = null, string? CheckPath = null);
