namespace Kmer.Worker;

/// <summary>
/// The .NET side of a bridged SQL function. Registered in DI under its handler
/// name with <see cref="WorkerHost.AddCallHandler{THandler}"/>; one call runs
/// one <see cref="InvokeAsync"/>.
/// </summary>
public interface ICallHandler
{
    /// <summary>Runs the call and returns its value (see <see cref="Kmer.Protocol.Result.Value"/>).</summary>
    /// <param name="context">The call, its job, and a way to send notices.</param>
    /// <param name="cancellationToken">Cancelled by a <c>cancel</c>, a closed connection or the worker stopping.</param>
    /// <exception cref="CallFailedException">The call fails with a chosen SQLSTATE.</exception>
    ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken);
}
