// Certificate check: proves that certificates Ferry generated are what
// sprig v3.3.0 would have generated, with Go's crypto/x509 as the judge.
//
// Usage: template-oracle -certs RESULTS.json
//
// RESULTS.json is an array of {name, template, data?, verify?, given?, ferry}, where
// ferry is Ferry's result for the template ({output} or {error}) and
// renderedAt/renderedUntil bracket Ferry's rendering (Unix ms). A template
// outputs a JSON object of named sprig certificates (toJson of a dict).
// For each case the oracle renders the template with sprig, then:
//   - both fail or both succeed; errors agree on location;
//   - every Ferry certificate and key parses with crypto/x509;
//   - the TBS fields sprig determines are byte-identical to Go's (version,
//     signature algorithm, issuer, subject, validity encodings, public key
//     algorithm, extension order, criticality and values), the random ones
//     have the right shape (serial, SubjectKeyId = SHA-256 of the key,
//     AuthorityKeyId = the issuer's SubjectKeyId, validity window);
//   - the key PEM is what sprig's pemBlockForKey writes for that key and
//     matches the certificate;
//   - each verify pair [child, parent] verifies (signature and x509.Verify
//     for CA parents).
//
// It prints one line per problem and a summary; exit status 1 on a problem.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"slices"
	"sort"
	"text/template"
	"time"
)

type certCase struct {
	testCase
	Verify [][2]string `json:"verify,omitempty"`
	// Given names certificates the template did not generate (buildCustomCert of data).
	Given []string `json:"given,omitempty"`
	Ferry struct {
		Output        *string `json:"output,omitempty"`
		Error         *string `json:"error,omitempty"`
		RenderedAt    int64   `json:"renderedAt"`
		RenderedUntil int64   `json:"renderedUntil"`
	} `json:"ferry"`
}

type pemPair struct {
	Cert string `json:"Cert"`
	Key  string `json:"Key"`
}

type parsed struct {
	cert *x509.Certificate
	tbs  rawTBS
	key  crypto.PrivateKey
	pem  pemPair
}

// rawTBS is a TBSCertificate with the fields kept as their DER bytes.
type rawTBS struct {
	Version   int `asn1:"optional,explicit,default:0,tag:0"`
	Serial    *big.Int
	SigAlg    asn1.RawValue
	Issuer    asn1.RawValue
	Validity  rawValidity
	Subject   asn1.RawValue
	PublicKey struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type rawValidity struct {
	NotBefore, NotAfter asn1.RawValue
}

type checker struct {
	problems int
	checks   int
	caseName string
}

func (c *checker) expect(ok bool, format string, args ...any) {
	c.checks++
	if !ok {
		c.problems++
		fmt.Printf("✗ %s: %s\n", c.caseName, fmt.Sprintf(format, args...))
	}
}

var errorLocation = regexp.MustCompile(`^template: [^:]*:(\d+(?::\d+)?):`)

func location(msg string) string {
	if m := errorLocation.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return msg
}

// parsePrivateKeyPEM is sprig's parsePrivateKeyPEM for the key types a
// certificate can be made with.
func parsePrivateKeyPEM(s string) (crypto.PrivateKey, string, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, "", fmt.Errorf("no PEM data")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		err = fmt.Errorf("unexpected PEM type %s", block.Type)
	}
	return key, block.Type, err
}

// pemForKey is sprig's pemBlockForKey.
func pemForKey(key crypto.PrivateKey) string {
	var b *pem.Block
	switch k := key.(type) {
	case *rsa.PrivateKey:
		b = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		der, _ := x509.MarshalECPrivateKey(k)
		b = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		b = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	return string(pem.EncodeToMemory(b))
}

func keyShape(key crypto.PrivateKey) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA-%d e=%d", k.N.BitLen(), k.E)
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "Ed25519"
	default:
		return fmt.Sprintf("%T", key)
	}
}

func (c *checker) parse(label string, p pemPair) *parsed {
	block, rest := pem.Decode([]byte(p.Cert))
	c.expect(block != nil && block.Type == "CERTIFICATE" && len(rest) == 0, "%s: Cert is not one CERTIFICATE PEM block", label)
	if block == nil {
		return nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	c.expect(err == nil, "%s: crypto/x509 cannot parse the certificate: %v", label, err)
	if err != nil {
		return nil
	}
	var tbs rawTBS
	_, err = asn1.Unmarshal(cert.RawTBSCertificate, &tbs)
	c.expect(err == nil, "%s: TBSCertificate: %v", label, err)
	key, _, err := parsePrivateKeyPEM(p.Key)
	c.expect(err == nil, "%s: crypto/x509 cannot parse the key: %v", label, err)
	if err != nil {
		return nil
	}
	return &parsed{cert: cert, tbs: tbs, key: key, pem: p}
}

func isKeyIDExtension(id asn1.ObjectIdentifier) bool {
	return id.Equal(asn1.ObjectIdentifier{2, 5, 29, 14}) || id.Equal(asn1.ObjectIdentifier{2, 5, 29, 35})
}

// compareTBS checks that the fields sprig determines are byte-identical.
func (c *checker) compareTBS(label string, f, g *parsed) {
	ft, gt := f.tbs, g.tbs
	c.expect(ft.Version == gt.Version, "%s: version %d, Go %d", label, ft.Version, gt.Version)
	c.expect(bytes.Equal(ft.SigAlg.FullBytes, gt.SigAlg.FullBytes), "%s: signature algorithm %x, Go %x", label, ft.SigAlg.FullBytes, gt.SigAlg.FullBytes)
	c.expect(bytes.Equal(ft.Issuer.FullBytes, gt.Issuer.FullBytes), "%s: issuer %x, Go %x", label, ft.Issuer.FullBytes, gt.Issuer.FullBytes)
	c.expect(bytes.Equal(ft.Subject.FullBytes, gt.Subject.FullBytes), "%s: subject %x, Go %x", label, ft.Subject.FullBytes, gt.Subject.FullBytes)
	c.expect(ft.Validity.NotBefore.Tag == gt.Validity.NotBefore.Tag && ft.Validity.NotAfter.Tag == gt.Validity.NotAfter.Tag,
		"%s: validity time types %d/%d, Go %d/%d", label, ft.Validity.NotBefore.Tag, ft.Validity.NotAfter.Tag, gt.Validity.NotBefore.Tag, gt.Validity.NotAfter.Tag)
	c.expect(bytes.Equal(ft.PublicKey.Algorithm.FullBytes, gt.PublicKey.Algorithm.FullBytes), "%s: public key algorithm %x, Go %x", label, ft.PublicKey.Algorithm.FullBytes, gt.PublicKey.Algorithm.FullBytes)
	c.expect(len(ft.Extensions) == len(gt.Extensions), "%s: %d extensions, Go %d", label, len(ft.Extensions), len(gt.Extensions))
	for i := 0; i < len(ft.Extensions) && i < len(gt.Extensions); i++ {
		fe, ge := ft.Extensions[i], gt.Extensions[i]
		c.expect(fe.Id.Equal(ge.Id) && fe.Critical == ge.Critical, "%s: extension %d is %v critical=%v, Go %v critical=%v", label, i, fe.Id, fe.Critical, ge.Id, ge.Critical)
		if isKeyIDExtension(fe.Id) {
			c.expect(len(fe.Value) == len(ge.Value), "%s: extension %v has %d bytes, Go %d", label, fe.Id, len(fe.Value), len(ge.Value))
		} else {
			c.expect(bytes.Equal(fe.Value, ge.Value), "%s: extension %v value %x, Go %x", label, fe.Id, fe.Value, ge.Value)
		}
	}
	c.expect(f.cert.SignatureAlgorithm == g.cert.SignatureAlgorithm,
		"%s: outer signature algorithm %v, Go %v", label, f.cert.SignatureAlgorithm, g.cert.SignatureAlgorithm)
	fd := f.cert.NotAfter.Sub(f.cert.NotBefore)
	gd := g.cert.NotAfter.Sub(g.cert.NotBefore)
	diff := fd - gd
	c.expect(diff <= time.Second && diff >= -time.Second, "%s: validity %v, Go %v", label, fd, gd)
	c.expect(keyShape(f.key) == keyShape(g.key), "%s: key %s, Go %s", label, keyShape(f.key), keyShape(g.key))
	_, ftype, _ := parsePrivateKeyPEM(f.pem.Key)
	_, gtype, _ := parsePrivateKeyPEM(g.pem.Key)
	c.expect(ftype == gtype, "%s: key PEM type %s, Go %s", label, ftype, gtype)
}

// checkOwn checks a Ferry certificate on its own: random fields, key, time.
func (c *checker) checkOwn(label string, f *parsed, tc *certCase) {
	serialBits := f.cert.SerialNumber.BitLen()
	c.expect(f.cert.SerialNumber.Sign() > 0 && serialBits <= 128, "%s: serial of %d bits", label, serialBits)
	c.expect(f.pem.Key == pemForKey(f.key), "%s: key PEM differs from sprig's pemBlockForKey", label)
	pub, ok := f.key.(crypto.Signer)
	c.expect(ok, "%s: key is not a signer", label)
	if ok {
		type equaler interface{ Equal(crypto.PublicKey) bool }
		c.expect(pub.Public().(equaler).Equal(f.cert.PublicKey), "%s: the key does not match the certificate", label)
	}
	spkiBits := f.tbs.PublicKey.Key.RightAlign()
	sum := sha256.Sum256(spkiBits)
	if f.cert.IsCA {
		c.expect(bytes.Equal(f.cert.SubjectKeyId, sum[:20]), "%s: SubjectKeyId is not the truncated SHA-256 of the key", label)
	}
	from := time.UnixMilli(tc.Ferry.RenderedAt).Truncate(time.Second)
	until := time.UnixMilli(tc.Ferry.RenderedUntil)
	nb := f.cert.NotBefore
	c.expect(!nb.Before(from) && !nb.After(until), "%s: NotBefore %v outside the rendering window %v..%v", label, nb, from, until)
}

// checkAKID: AuthorityKeyId is the issuer's SubjectKeyId when Go would set it.
func (c *checker) checkAKID(label string, f *parsed, parent *parsed) {
	want := []byte(nil)
	if !bytes.Equal(f.cert.RawIssuer, f.cert.RawSubject) {
		want = parent.cert.SubjectKeyId
	}
	c.expect(bytes.Equal(f.cert.AuthorityKeyId, want), "%s: AuthorityKeyId %x, want %x", label, f.cert.AuthorityKeyId, want)
}

func (c *checker) verify(child, parent string, f map[string]*parsed) {
	ch, pa := f[child], f[parent]
	if ch == nil || pa == nil {
		c.expect(false, "verify %s by %s: missing certificate", child, parent)
		return
	}
	label := child + " by " + parent
	c.expect(bytes.Equal(ch.cert.RawIssuer, pa.cert.RawSubject), "%s: issuer is not the parent's subject", label)
	err := checkSignatureWith(ch.cert, pa.cert.PublicKey)
	c.expect(err == nil, "%s: signature does not verify with the parent's key: %v", label, err)
	if child == parent {
		return
	}
	c.checkAKID(label, ch, pa)
	if pa.cert.IsCA {
		roots := x509.NewCertPool()
		roots.AddCert(pa.cert)
		_, verr := ch.cert.Verify(x509.VerifyOptions{
			Roots:       roots,
			CurrentTime: ch.cert.NotBefore.Add(time.Second),
			KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		c.expect(verr == nil, "%s: x509.Verify: %v", label, verr)
	}
}

// checkSignatureWith verifies a certificate's signature with a key, even
// when the parent is not a CA (x509.CheckSignatureFrom refuses that).
func checkSignatureWith(cert *x509.Certificate, pub crypto.PublicKey) error {
	tmp := &x509.Certificate{PublicKey: pub, PublicKeyAlgorithm: cert.PublicKeyAlgorithm}
	switch pub.(type) {
	case *rsa.PublicKey:
		tmp.PublicKeyAlgorithm = x509.RSA
	case *ecdsa.PublicKey:
		tmp.PublicKeyAlgorithm = x509.ECDSA
	case ed25519.PublicKey:
		tmp.PublicKeyAlgorithm = x509.Ed25519
	}
	return tmp.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature)
}

func decodeCerts(out string) (map[string]pemPair, error) {
	m := map[string]pemPair{}
	err := json.Unmarshal([]byte(out), &m)
	return m, err
}

func (c *checker) run(tc *certCase, fm template.FuncMap) {
	c.caseName = tc.Name
	goOut, goErr := render(tc.testCase, fm)
	if goErr != nil || tc.Ferry.Error != nil {
		c.expect(goErr != nil && tc.Ferry.Error != nil, "Go error %v, Ferry error %v", goErr, deref(tc.Ferry.Error))
		if goErr != nil && tc.Ferry.Error != nil {
			c.expect(location(goErr.Error()) == location(*tc.Ferry.Error), "error location: Go %q, Ferry %q", goErr.Error(), *tc.Ferry.Error)
		}
		return
	}
	ferryCerts, err := decodeCerts(deref(tc.Ferry.Output))
	c.expect(err == nil, "Ferry output is not a JSON object of certificates: %v", err)
	goCerts, err2 := decodeCerts(goOut)
	c.expect(err2 == nil, "Go output is not a JSON object of certificates: %v", err2)
	if err != nil || err2 != nil {
		return
	}
	names := make([]string, 0, len(goCerts))
	for n := range goCerts {
		names = append(names, n)
	}
	sort.Strings(names)
	c.expect(len(ferryCerts) == len(goCerts), "Ferry made %d certificates, Go %d", len(ferryCerts), len(goCerts))
	mine := map[string]*parsed{}
	for _, n := range names {
		f := c.parse("ferry "+n, ferryCerts[n])
		g := c.parse("go "+n, goCerts[n])
		if f == nil || g == nil {
			continue
		}
		mine[n] = f
		c.compareTBS(n, f, g)
		if !slices.Contains(tc.Given, n) {
			c.checkOwn(n, f, tc)
		}
	}
	for _, pair := range tc.Verify {
		c.verify(pair[0], pair[1], mine)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

func certCheck(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var cases []certCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fm := funcMap()
	c := &checker{}
	for i := range cases {
		before := c.problems
		c.run(&cases[i], fm)
		if c.problems == before {
			fmt.Printf("✓ %s\n", cases[i].Name)
		}
	}
	fmt.Printf("%d cases, %d checks, %d problems\n", len(cases), c.checks, c.problems)
	if c.problems > 0 {
		return 1
	}
	return 0
}
