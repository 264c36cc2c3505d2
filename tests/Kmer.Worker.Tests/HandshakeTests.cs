using Kmer.Protocol;

namespace Kmer.Worker.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public async Task AdminUserIsWelcomedAsAdmin()
    {
        await using TestWorker worker = await TestWorker.StartAsAdminAsync();
        await using FakeBackend backend = await worker.ConnectAsync();
        await backend.SendAsync(new Hello(ProtocolVersion.Current, "tests", Environment.ProcessId));

        Welcome welcome = await backend.ReadAsync<Welcome>();
        Assert.Equal(ProtocolVersion.Current, welcome.Protocol);
        Assert.Equal(PeerKind.Admin, welcome.Peer);
        Assert.Equal(Environment.ProcessId, welcome.Pid);
        Assert.StartsWith("kmer-worker ", welcome.Server, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerUserIsWelcomedAsServer()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend backend = await worker.ConnectAsync();
        await backend.SendAsync(new Hello(ProtocolVersion.Current, "tests", Environment.ProcessId));

        Assert.Equal(PeerKind.Server, (await backend.ReadAsync<Welcome>()).Peer);
    }

    [RootFact]
    public async Task RootIsAnAdminWithDefaultSettings()
    {
        await using TestWorker worker = await TestWorker.StartAsync();
        await using FakeBackend backend = await worker.ConnectAsync();
        await backend.SendAsync(new Hello(ProtocolVersion.Current, "tests", Environment.ProcessId));

        Assert.Equal(PeerKind.Admin, (await backend.ReadAsync<Welcome>()).Peer);
    }

    [Fact]
    public async Task OtherProtocolVersionIsRefusedAndClosed()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend backend = await worker.ConnectAsync();
        await backend.SendAsync(new Hello(ProtocolVersion.Current + 1, "tests", Environment.ProcessId));

        Error error = await backend.ReadAsync<Error>();
        Assert.Null(error.Id);
        Assert.Equal("08P01", error.SqlState);
        Assert.Contains($"version {ProtocolVersion.Current + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"version {ProtocolVersion.Current}", error.Message, StringComparison.Ordinal);
        await backend.AssertClosedAsync();
    }

    [Fact]
    public async Task FirstMessageOtherThanHelloIsAProtocolError()
    {
        await using TestWorker worker = await TestWorker.StartAsServerAsync();
        await using FakeBackend backend = await worker.ConnectAsync();
        await backend.SendAsync(new StatusRequest());

        Error error = await backend.ReadAsync<Error>();
        Assert.Equal("08P01", error.SqlState);
        Assert.Contains("hello", error.Message, StringComparison.Ordinal);
        await backend.AssertClosedAsync();
    }

    [Fact]
    public async Task UserNeitherServerNorAdminIsRefused()
    {
        await using TestWorker worker = await TestWorker.StartAsync(
            "--Worker:ServerUser=kmer-test-nobody", "--Worker:AdminUsers:0=kmer-test-nobody-either");
        await using FakeBackend backend = await worker.ConnectAsync();

        Error error = await backend.ReadAsync<Error>();
        Assert.Null(error.Id);
        Assert.Equal("28000", error.SqlState);
        Assert.Contains($"\"{TestWorker.CurrentUser}\"", error.Message, StringComparison.Ordinal);
        await backend.AssertClosedAsync();
    }
}
