package agentsight

// DecodePage decodes a body of GET /api/conversations/ as a listing's pages are decoded, with
// no limit on its rows: the decoder's tests, outside the package too, feed it bodies directly.
func DecodePage(body []byte, detail Detail) (*ConversationPage, error) {
	return decodePage(body, detail, 0)
}

// DecodeConversation and DecodeAttachments decode a detail body as the client does.
var (
	DecodeConversation = decodeConversation
	DecodeAttachments  = decodeAttachments
)

// MaxNestedRows is the decoder's bound on one body's messages and attachments.
const MaxNestedRows = maxNestedRows
