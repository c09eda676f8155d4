"""The registry of sample objects behind every named URL, for the isolation walk.

Every named URL in the project must have an entry here: `test_isolation.py` fails when a new
page has none, so no future page can skip the tenancy checks. An entry says how to fill the
URL's parameters with one of council A's records (see tests/personas.py) and, where a page is
deliberately public, why.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Entry:
    #: Build the URL's keyword arguments from council A's samples.
    kwargs: Callable[[dict], dict] = lambda samples: {}
    #: A page anyone may open (signed in or not); the reason is required.
    public: str = ""
    #: A page whose parameters name no council A record (a consent purpose, say), so another
    #: organisation's staff may open it for their own organisation: they get 200, not 404,
    #: and must still see nothing of council A's. The reason is required.
    own_organisation: str = ""


def _pk(name):
    return lambda samples: {"pk": samples[name].pk}


REGISTRY: dict[str, Entry] = {
    "home": Entry(),
    "healthz": Entry(public="health check for load balancers; shows no records"),
    "favicon": Entry(public="the site icon"),
    "accounts:login": Entry(public="the sign-in page"),
    "accounts:two_factor_verify": Entry(),
    "accounts:logout": Entry(public="sign-out confirmation"),
    "accounts:password_reset": Entry(public="anyone may ask for a reset link"),
    "accounts:password_reset_done": Entry(public="says an email may have been sent"),
    "accounts:password_reset_confirm": Entry(
        kwargs=lambda samples: {"uidb64": "MQ", "token": "set-password"},
        public="the link in a reset email; an invalid link shows the expired-link page",
    ),
    "accounts:password_reset_complete": Entry(public="says the password was changed"),
    "accounts:settings": Entry(),
    "accounts:stay_signed_in": Entry(),
    "accounts:password_change": Entry(),
    "accounts:two_factor_setup": Entry(),
    "accounts:two_factor_disable": Entry(),
    "accounts:api_token_revoke": Entry(kwargs=_pk("api_token")),
    "accounts:organisation_list": Entry(),
    "accounts:organisation_detail": Entry(kwargs=_pk("organisation")),
    "accounts:member_add": Entry(kwargs=_pk("organisation")),
    "accounts:membership_edit": Entry(kwargs=_pk("membership")),
    "accounts:membership_end": Entry(kwargs=_pk("membership")),
    "accounts:membership_two_factor_reset": Entry(kwargs=_pk("membership")),
    "accounts:membership_invitation_resend": Entry(kwargs=_pk("membership")),
    "pages:accessibility": Entry(public="accessibility statement"),
    "pages:privacy": Entry(public="privacy notice"),
    "pages:cookies": Entry(public="cookies page"),
    "support:list": Entry(),
    "support:create": Entry(),
    "support:detail": Entry(kwargs=_pk("support_service")),
    "support:edit": Entry(kwargs=_pk("support_service")),
    "support:sharing": Entry(kwargs=_pk("support_service")),
    "support:share_end": Entry(
        kwargs=lambda samples: {
            "pk": samples["support_service"].pk,
            "share_pk": samples["share"].pk,
        }
    ),
    "people:list": Entry(),
    "people:create": Entry(),
    "people:import": Entry(),
    "people:import_template": Entry(),
    "people:area_list": Entry(),
    "people:area_edit": Entry(kwargs=_pk("area")),
    "people:retention_review": Entry(),
    "people:detail": Entry(kwargs=_pk("person")),
    "people:edit": Entry(kwargs=_pk("person")),
    "people:consent_add": Entry(kwargs=_pk("person")),
    "people:portal_invite": Entry(kwargs=_pk("person")),
    "engagement:activity_list": Entry(),
    "engagement:activity_create": Entry(),
    "engagement:activity_export": Entry(),
    "engagement:settings": Entry(),
    "engagement:ladder_report": Entry(),
    "engagement:ladder_chart": Entry(),
    "engagement:ladder_list": Entry(),
    "engagement:ladder_create": Entry(),
    "engagement:ladder_edit": Entry(kwargs=_pk("ladder")),
    "engagement:ladder_retire": Entry(kwargs=_pk("ladder")),
    "engagement:activity_detail": Entry(kwargs=_pk("activity")),
    "engagement:activity_edit": Entry(kwargs=_pk("activity")),
    "engagement:activity_cancel": Entry(kwargs=_pk("activity")),
    "engagement:invite": Entry(kwargs=_pk("activity")),
    "engagement:invitation_detail": Entry(kwargs=_pk("invitation")),
    "engagement:invitation_withdraw": Entry(kwargs=_pk("invitation")),
    "engagement:invitation_leave": Entry(kwargs=_pk("invitation")),
    "engagement:contribution_capture": Entry(kwargs=_pk("activity")),
    "engagement:contribution_list": Entry(),
    "engagement:contribution_export": Entry(),
    "engagement:contribution_detail": Entry(kwargs=_pk("contribution")),
    "engagement:contribution_redact": Entry(kwargs=_pk("contribution")),
    "engagement:contribution_withdraw": Entry(kwargs=_pk("contribution")),
    "api-1.0:response_list": Entry(),
    "api-1.0:response_detail": Entry(
        kwargs=lambda samples: {"response_id": samples["response"].pk}
    ),
    # POST only; who may POST is tested in powershare/accountability/tests/test_api_accountability.py.
    "api-1.0:response_create": Entry(
        kwargs=lambda samples: {"activity_id": samples["activity"].pk},
        public="POST only; a GET answers 405",
    ),
    "api-1.0:activity_loop": Entry(kwargs=lambda samples: {"activity_id": samples["activity"].pk}),
    "api-1.0:feedback_metrics": Entry(),
    "accountability:dashboard": Entry(),
    "accountability:metrics": Entry(),
    "accountability:response_list": Entry(),
    "accountability:activity_loop": Entry(kwargs=_pk("activity")),
    "accountability:respond": Entry(kwargs=_pk("activity")),
    "accountability:response_detail": Entry(kwargs=_pk("response")),
    "accountability:response_edit": Entry(kwargs=_pk("response")),
    "accountability:response_delete": Entry(kwargs=_pk("response")),
    "accountability:response_progress": Entry(kwargs=_pk("response")),
    "accountability:evidence_add": Entry(kwargs=_pk("response")),
    "accountability:evidence_download": Entry(kwargs=_pk("evidence_file")),
    "accountability:evidence_remove": Entry(kwargs=_pk("evidence_file")),
    "accountability:letter_compose": Entry(kwargs=_pk("activity")),
    "accountability:letter_detail": Entry(kwargs=_pk("letter")),
    "accountability:letter_send": Entry(kwargs=_pk("letter")),
    "accountability:letter_pdf": Entry(kwargs=_pk("letter")),
    "accountability:recipient_posted": Entry(
        kwargs=lambda samples: {"pk": samples["letter"].pk, "recipient": samples["recipient"].pk}
    ),
    "accountability:group_version": Entry(
        kwargs=lambda samples: {
            "pk": samples["letter"].pk,
            "recipient": samples["group_recipient"].pk,
        }
    ),
    "accountability:group_version_pdf": Entry(
        kwargs=lambda samples: {
            "pk": samples["letter"].pk,
            "recipient": samples["group_recipient"].pk,
        }
    ),
    "accountability:group_replies": Entry(
        kwargs=lambda samples: {
            "pk": samples["letter"].pk,
            "recipient": samples["group_recipient"].pk,
        }
    ),
    "accountability:public_page_settings": Entry(),
    "public:you_said_we_did": Entry(
        kwargs=lambda samples: {"slug": samples["organisation"].slug},
        public="the organisation's opt-in public page: only public-level words, no personal data",
    ),
    "payments:home": Entry(),
    "payments:payment_create": Entry(),
    "payments:activity_payments": Entry(kwargs=_pk("activity")),
    "payments:payment_detail": Entry(kwargs=_pk("payment")),
    "payments:payment_edit": Entry(kwargs=_pk("payment")),
    "payments:payment_approve": Entry(kwargs=_pk("payment")),
    "payments:payment_method": Entry(kwargs=_pk("payment")),
    "payments:payment_cancel": Entry(kwargs=_pk("payment")),
    "payments:payment_paid": Entry(kwargs=_pk("payment")),
    "payments:payment_adjust": Entry(kwargs=_pk("payment")),
    "payments:person_payments": Entry(kwargs=_pk("person")),
    "payments:person_choice": Entry(kwargs=_pk("person")),
    "payments:claim_list": Entry(),
    "payments:claim_create": Entry(),
    "payments:claim_detail": Entry(kwargs=_pk("claim")),
    "payments:claim_line_add": Entry(kwargs=_pk("claim")),
    "payments:claim_submit": Entry(kwargs=_pk("claim")),
    "payments:claim_approve": Entry(kwargs=_pk("claim")),
    "payments:claim_return": Entry(kwargs=_pk("claim")),
    "payments:claim_paid": Entry(kwargs=_pk("claim")),
    "payments:claim_line_remove": Entry(kwargs=_pk("claim_line")),
    "payments:claim_receipt_add": Entry(kwargs=_pk("claim_line")),
    "payments:receipt_download": Entry(kwargs=_pk("receipt")),
    "payments:finance": Entry(),
    "payments:finance_export": Entry(),
    "payments:finance_import": Entry(),
    "payments:reports": Entry(),
    "payments:rate_card_list": Entry(),
    "payments:rate_card_create": Entry(),
    "payments:rate_card_edit": Entry(kwargs=_pk("rate_card")),
    "payments:settings": Entry(),
    "learning:home": Entry(),
    "learning:settings": Entry(),
    "learning:product_list": Entry(),
    "learning:product_create": Entry(),
    "learning:product_export": Entry(),
    "learning:product_detail": Entry(kwargs=_pk("product")),
    "learning:product_edit": Entry(kwargs=_pk("product")),
    "learning:product_status": Entry(kwargs=_pk("product")),
    "learning:product_co_design": Entry(kwargs=_pk("product")),
    "learning:product_attendance": Entry(kwargs=_pk("product")),
    "learning:product_attendance_export": Entry(kwargs=_pk("product")),
    "learning:version_create": Entry(kwargs=_pk("product")),
    "learning:version_detail": Entry(kwargs=_pk("version")),
    "learning:version_outcomes": Entry(kwargs=_pk("version")),
    "learning:version_publish": Entry(kwargs=_pk("version")),
    "learning:material_add": Entry(kwargs=_pk("version")),
    "learning:materials_needing_update": Entry(),
    "learning:material_edit": Entry(kwargs=_pk("material")),
    "learning:material_remove": Entry(kwargs=_pk("material")),
    "learning:material_download": Entry(kwargs=_pk("material")),
    "learning:delivery_list": Entry(),
    "learning:delivery_export": Entry(),
    "learning:delivery_create": Entry(kwargs=_pk("product")),
    "learning:delivery_detail": Entry(kwargs=_pk("delivery")),
    "learning:delivery_edit": Entry(kwargs=_pk("delivery")),
    "learning:delivery_cancel": Entry(kwargs=_pk("delivery")),
    "learning:session_add": Entry(kwargs=_pk("delivery")),
    "learning:session_edit": Entry(kwargs=_pk("session")),
    "learning:session_remove": Entry(kwargs=_pk("session")),
    "learning:register": Entry(kwargs=_pk("session")),
    "learning:register_mark": Entry(
        kwargs=lambda samples: {
            "pk": samples["session"].pk,
            "booking_pk": samples["booking"].pk,
        }
    ),
    "learning:register_export": Entry(kwargs=_pk("delivery")),
    "learning:team": Entry(kwargs=_pk("delivery")),
    "learning:team_acknowledge": Entry(kwargs=_pk("delivery")),
    "learning:facilitator_edit": Entry(kwargs=_pk("facilitator")),
    "learning:facilitator_remove": Entry(kwargs=_pk("facilitator")),
    "learning:trainer_list": Entry(),
    "learning:trainer_add": Entry(),
    "learning:trainer_edit": Entry(kwargs=_pk("trainer")),
    "learning:commission_create": Entry(kwargs=_pk("delivery")),
    "learning:commission_detail": Entry(kwargs=_pk("commission")),
    "learning:commission_cancel": Entry(kwargs=_pk("commission")),
    "learning:support_edit": Entry(kwargs=_pk("support")),
    "learning:bookings": Entry(kwargs=_pk("delivery")),
    "learning:booking_create": Entry(kwargs=_pk("delivery")),
    "learning:booking_cancel": Entry(kwargs=_pk("booking")),
    "learning:learner_erase": Entry(kwargs=_pk("booking")),
    "learning:learner_lookup": Entry(),
    # The booking link staff share with learners: anyone holding it may book. It shows the
    # course (title, dates, places), never who has booked. Erin's course carries no MARKER.
    # Improvement (issue 10)
    "improvement:home": Entry(),
    "improvement:framework_list": Entry(),
    "improvement:framework_detail": Entry(
        kwargs=_pk("framework"),
        own_organisation="the Roadmap PowerShare ships is everyone's; each organisation sees "
        "its own versions of it",
    ),
    "improvement:version_publish": Entry(
        kwargs=_pk("framework"),
        own_organisation="any organisation's administrators publish their own version of the "
        "shipped Roadmap",
    ),
    "improvement:version_detail": Entry(kwargs=_pk("framework_version")),
    "improvement:assessment_list": Entry(),
    "improvement:assessment_create": Entry(),
    "improvement:heatmap_svg": Entry(),
    "improvement:assessment_detail": Entry(kwargs=_pk("assessment")),
    "improvement:assessment_edit": Entry(kwargs=_pk("assessment")),
    "improvement:assessment_ratings": Entry(kwargs=_pk("assessment")),
    "improvement:assessment_participants": Entry(kwargs=_pk("assessment")),
    "improvement:participant_remove": Entry(kwargs=_pk("assessment_participant")),
    "improvement:assessment_agree": Entry(kwargs=_pk("assessment")),
    "improvement:assessment_sharing": Entry(kwargs=_pk("assessment")),
    "improvement:assessment_share_end": Entry(
        kwargs=lambda samples: {"pk": samples["assessment"].pk, "share_pk": samples["share"].pk}
    ),
    "improvement:plan_list": Entry(),
    "improvement:plan_create": Entry(),
    "improvement:plan_detail": Entry(kwargs=_pk("plan")),
    "improvement:plan_edit": Entry(kwargs=_pk("plan")),
    "improvement:plan_sharing": Entry(kwargs=_pk("plan")),
    "improvement:plan_share_end": Entry(
        kwargs=lambda samples: {"pk": samples["plan"].pk, "share_pk": samples["share"].pk}
    ),
    "improvement:action_list": Entry(),
    "improvement:action_export": Entry(),
    "improvement:action_create": Entry(),
    "improvement:action_detail": Entry(kwargs=_pk("action")),
    "improvement:action_edit": Entry(kwargs=_pk("action")),
    "improvement:action_progress": Entry(kwargs=_pk("action")),
    "improvement:walkthrough_list": Entry(),
    "improvement:walkthrough_create": Entry(),
    "improvement:walkthrough_detail": Entry(kwargs=_pk("walkthrough")),
    "improvement:walkthrough_edit": Entry(kwargs=_pk("walkthrough")),
    "improvement:site_add": Entry(kwargs=_pk("walkthrough")),
    "improvement:site_remove": Entry(kwargs=_pk("walkthrough_site")),
    "improvement:team_add": Entry(kwargs=_pk("walkthrough")),
    "improvement:team_remove": Entry(kwargs=_pk("walkthrough_team_member")),
    "improvement:observation_add": Entry(kwargs=_pk("walkthrough")),
    "improvement:observation_edit": Entry(kwargs=_pk("observation")),
    "improvement:observation_remove": Entry(kwargs=_pk("observation")),
    "improvement:group_list": Entry(),
    "improvement:group_create": Entry(),
    "improvement:group_detail": Entry(kwargs=_pk("group")),
    "improvement:group_edit": Entry(kwargs=_pk("group")),
    "improvement:member_add": Entry(kwargs=_pk("group")),
    "improvement:member_edit": Entry(kwargs=_pk("group_member")),
    "improvement:action_log": Entry(kwargs=_pk("group")),
    "improvement:action_log_export": Entry(kwargs=_pk("group")),
    "improvement:meeting_create": Entry(kwargs=_pk("group")),
    "improvement:meeting_detail": Entry(kwargs=_pk("meeting")),
    "improvement:meeting_edit": Entry(kwargs=_pk("meeting")),
    "improvement:meeting_attendance": Entry(kwargs=_pk("meeting")),
    "improvement:agenda_add": Entry(kwargs=_pk("meeting")),
    "improvement:agenda_edit": Entry(kwargs=_pk("agenda_item")),
    "improvement:agenda_remove": Entry(kwargs=_pk("agenda_item")),
    "improvement:partner_update_edit": Entry(
        kwargs=lambda samples: {
            "pk": samples["meeting"].pk,
            "member_pk": samples["group_member"].pk,
        }
    ),
    "improvement:decision_add": Entry(kwargs=_pk("meeting")),
    "improvement:decision_remove": Entry(kwargs=_pk("decision")),
    "improvement:arising_update": Entry(
        kwargs=lambda samples: {
            "pk": samples["next_meeting"].pk,
            "action_pk": samples["group_action"].pk,
        }
    ),
    "improvement:minutes_agree": Entry(kwargs=_pk("meeting")),
    "improvement:minutes_pdf": Entry(kwargs=_pk("meeting")),
    "improvement:minutes_docx": Entry(kwargs=_pk("meeting")),
    "national:home": Entry(),
    "national:round_create": Entry(),
    "national:round_detail": Entry(kwargs=_pk("survey_round")),
    "national:round_progress": Entry(kwargs=_pk("survey_round")),
    "national:round_edit": Entry(kwargs=_pk("survey_round")),
    "national:round_councils": Entry(kwargs=_pk("survey_round")),
    "national:round_narrative": Entry(kwargs=_pk("survey_round")),
    "national:round_copy": Entry(kwargs=_pk("survey_round")),
    "national:reminders_send": Entry(kwargs=_pk("survey_round")),
    "national:round_questions": Entry(kwargs=_pk("survey_round")),
    "national:question_add": Entry(kwargs=_pk("survey_round")),
    "national:question_edit": Entry(kwargs=_pk("survey_question")),
    "national:question_remove": Entry(kwargs=_pk("survey_question")),
    "national:question_move": Entry(kwargs=_pk("survey_question")),
    "national:my_returns": Entry(),
    "national:return_detail": Entry(kwargs=_pk("council_return")),
    "national:return_edit": Entry(kwargs=_pk("council_return")),
    "national:return_reopen": Entry(kwargs=_pk("council_return")),
    "national:report": Entry(kwargs=_pk("survey_round")),
    "national:report_pdf": Entry(kwargs=_pk("survey_round")),
    "national:chart_svg": Entry(
        kwargs=lambda samples: {"pk": samples["survey_round"].pk, "chart": "early-signs"}
    ),
    "evaluation:questionnaire_list": Entry(),
    "evaluation:questionnaire_create": Entry(),
    "evaluation:questionnaire_detail": Entry(kwargs=_pk("questionnaire")),
    "evaluation:questionnaire_edit": Entry(kwargs=_pk("questionnaire")),
    "evaluation:section_add": Entry(kwargs=_pk("questionnaire")),
    "evaluation:section_edit": Entry(kwargs=_pk("section")),
    "evaluation:question_add": Entry(kwargs=_pk("questionnaire")),
    "evaluation:question_edit": Entry(kwargs=_pk("likert_question")),
    "evaluation:question_close": Entry(kwargs=_pk("likert_question")),
    "evaluation:question_remove": Entry(kwargs=_pk("likert_question")),
    "evaluation:question_move": Entry(kwargs=_pk("likert_question")),
    "evaluation:standard_make": Entry(kwargs=_pk("product")),
    "evaluation:import_new": Entry(),
    "evaluation:import_answers": Entry(kwargs=_pk("questionnaire")),
    "evaluation:import_undo": Entry(kwargs=_pk("import_batch")),
    "evaluation:link_create": Entry(kwargs=_pk("questionnaire")),
    "evaluation:link_detail": Entry(kwargs=_pk("answer_link")),
    "evaluation:link_edit": Entry(kwargs=_pk("answer_link")),
    "evaluation:link_qr_svg": Entry(kwargs=_pk("answer_link")),
    "evaluation:link_qr_png": Entry(kwargs=_pk("answer_link")),
    "evaluation:paper_codes": Entry(kwargs=_pk("answer_link")),
    "evaluation:results": Entry(kwargs=_pk("questionnaire")),
    "evaluation:results_export": Entry(kwargs=_pk("questionnaire")),
    "evaluation:free_text": Entry(kwargs=_pk("text_question")),
    "evaluation:responses_download": Entry(kwargs=_pk("questionnaire")),
    "evaluation:summary": Entry(kwargs=_pk("product")),
    "evaluation:summary_edit": Entry(kwargs=_pk("product")),
    "evaluation:summary_make": Entry(kwargs=_pk("product")),
    "evaluation:summary_progress": Entry(kwargs=_pk("product")),
    "evaluation:summary_pdf": Entry(kwargs=_pk("product")),
    "evaluation:summary_feedback": Entry(kwargs=_pk("product")),
    # The anonymous answer page: anyone holding the link (or its QR code) may answer. It shows
    # the questionnaire's questions only, never an answer. Erin's course carries no MARKER.
    "answer:form": Entry(
        kwargs=lambda samples: {"token": samples["public_answer_link"].token},
        public="the anonymous answer link or QR code handed out at a session",
    ),
    "answer:thanks": Entry(
        kwargs=lambda samples: {"token": samples["public_answer_link"].token},
        public="the thank-you page after answering anonymously",
    ),
    "learning:book": Entry(
        kwargs=lambda samples: {"token": samples["erin_delivery"].booking_token},
        public="the booking link a learning team shares with learners; shows the course only",
    ),
    "learning:booking_own": Entry(
        kwargs=lambda samples: {"token": samples["public_booking"].token},
        public="a learner's own booking, from the secret link in their email",
    ),
    "learning:booking_own_cancel": Entry(
        kwargs=lambda samples: {"token": samples["public_booking"].token},
        public="a learner cancels their own booking through their secret link",
    ),
    "learning:booking_own_answer": Entry(
        kwargs=lambda samples: {"token": samples["public_booking"].token},
        public="a learner takes or turns down an offered place through their secret link",
    ),
    "privacy:statement_list": Entry(),
    "privacy:statement_publish": Entry(
        kwargs=lambda samples: {"purpose": "contact"},
        own_organisation="an administrator publishes wording for their own organisation",
    ),
    "privacy:subject_access_list": Entry(),
    "privacy:subject_access_create": Entry(
        kwargs=lambda samples: {"person_pk": samples["person"].pk}
    ),
    "privacy:subject_access_detail": Entry(kwargs=_pk("subject_access_request")),
    "privacy:subject_access_download": Entry(kwargs=_pk("subject_access_request")),
    "privacy:erasure_list": Entry(),
    "privacy:erasure_create": Entry(kwargs=lambda samples: {"person_pk": samples["person"].pk}),
    "privacy:erasure_detail": Entry(kwargs=_pk("erasure_request")),
    "portal:home": Entry(),
    "portal:welcome": Entry(
        kwargs=lambda samples: {"uidb64": "MQ", "token": "set-password"},
        public="the link in a portal invitation; an invalid link shows the expired-link page",
    ),
    # Erin's own invitation and contribution: she gets 200; everyone else 404.
    "portal:opportunities": Entry(),
    "portal:opportunity": Entry(kwargs=_pk("erin_invitation")),
    "portal:opportunity_answer": Entry(
        kwargs=lambda samples: {"pk": samples["erin_invitation"].pk, "answer": "no"}
    ),
    "portal:opportunity_leave": Entry(kwargs=_pk("erin_invitation")),
    "portal:opportunity_say": Entry(kwargs=_pk("erin_invitation")),
    "portal:contribution_add": Entry(kwargs=_pk("erin_invitation")),
    "portal:contributions": Entry(),
    "portal:contribution": Entry(kwargs=_pk("erin_contribution")),
    "portal:contribution_redact": Entry(kwargs=_pk("erin_contribution")),
    "portal:contribution_withdraw": Entry(kwargs=_pk("erin_contribution")),
    "portal:contribution_use": Entry(kwargs=_pk("erin_contribution")),
    "portal:feedback": Entry(),
    "portal:feedback_letter": Entry(kwargs=_pk("erin_letter")),
    # Erin's own payments, and the claim she started and has not sent (staff never see it).
    "portal:payments": Entry(),
    "portal:payment_choice": Entry(),
    "portal:expense_new": Entry(),
    "portal:expense": Entry(kwargs=_pk("erin_claim")),
    "portal:expense_add_cost": Entry(kwargs=_pk("erin_claim")),
    "portal:expense_remove_cost": Entry(kwargs=_pk("erin_claim_line")),
    "portal:expense_send": Entry(kwargs=_pk("erin_claim")),
    "portal:expense_receipt_add": Entry(kwargs=_pk("erin_claim_line")),
    "portal:receipt": Entry(kwargs=_pk("erin_receipt")),
    "portal:words_in_learning": Entry(),
    "portal:training": Entry(),
    "portal:training_detail": Entry(kwargs=_pk("erin_facilitator")),
    "portal:training_material": Entry(kwargs=_pk("erin_material")),
    "portal:details": Entry(),
    "portal:details_change": Entry(kwargs=lambda samples: {"section": "contact"}),
    "portal:choices": Entry(),
    "portal:choice_change": Entry(kwargs=lambda samples: {"purpose": "contact"}),
    "portal:data": Entry(),
    "portal:data_download": Entry(kwargs=_pk("subject_access_request")),
    "portal:support": Entry(),
    "api-1.0:payment_list": Entry(),
    "api-1.0:payment_detail": Entry(kwargs=lambda samples: {"payment_id": samples["payment"].pk}),
    "api-1.0:claim_list": Entry(),
    "api-1.0:claim_detail": Entry(kwargs=lambda samples: {"claim_id": samples["claim"].pk}),
    "api-1.0:person_payment_totals": Entry(
        kwargs=lambda samples: {"person_id": samples["person"].pk}
    ),
    "api-1.0:my_payments": Entry(),
    "api-1.0:my_claims": Entry(),
    "api-1.0:my_payment_totals": Entry(),
    "api-1.0:learning_product_list": Entry(),
    "api-1.0:learning_product_detail": Entry(
        kwargs=lambda samples: {"product_id": samples["product"].pk}
    ),
    "api-1.0:learning_attendance_totals": Entry(
        kwargs=lambda samples: {"product_id": samples["product"].pk}
    ),
    "api-1.0:learning_delivery_list": Entry(),
    "api-1.0:learning_delivery_detail": Entry(
        kwargs=lambda samples: {"delivery_id": samples["delivery"].pk}
    ),
    "api-1.0:learning_booking_list": Entry(
        kwargs=lambda samples: {"delivery_id": samples["delivery"].pk}
    ),
    # The same address as the booking list (a GET lists the bookings). Who may POST is tested
    # in powershare/learning/tests/test_api_learning.py.
    "api-1.0:learning_booking_create": Entry(
        kwargs=lambda samples: {"delivery_id": samples["delivery"].pk}
    ),
    "api-1.0:my_training": Entry(),
    "api-1.0:questionnaire_list": Entry(),
    "api-1.0:questionnaire_detail": Entry(
        kwargs=lambda samples: {"code": samples["questionnaire"].code}
    ),
    "api-1.0:questionnaire_results": Entry(
        kwargs=lambda samples: {"code": samples["questionnaire"].code}
    ),
    "api-1.0:learning_product_evaluation": Entry(
        kwargs=lambda samples: {"product_id": samples["product"].pk}
    ),
    "api-1.0:improvement_framework_list": Entry(),
    "api-1.0:improvement_framework_detail": Entry(
        kwargs=lambda samples: {"framework_id": samples["framework"].pk},
        own_organisation="the Roadmap PowerShare ships is everyone's; each organisation sees "
        "its own versions of it",
    ),
    "api-1.0:improvement_assessment_list": Entry(),
    "api-1.0:improvement_assessment_detail": Entry(
        kwargs=lambda samples: {"assessment_id": samples["assessment"].pk}
    ),
    "api-1.0:improvement_action_list": Entry(),
    "api-1.0:improvement_action_detail": Entry(
        kwargs=lambda samples: {"action_id": samples["action"].pk}
    ),
    "api-1.0:improvement_meeting_list": Entry(),
    "api-1.0:improvement_meeting_detail": Entry(
        kwargs=lambda samples: {"meeting_id": samples["meeting"].pk}
    ),
    "api-1.0:national_round_list": Entry(),
    "api-1.0:national_round_results": Entry(
        kwargs=lambda samples: {"year": samples["survey_round"].year}
    ),
    "audit:change_log": Entry(),
    "audit:access_log": Entry(),
    "api-1.0:api-root": Entry(public="the API's root; answers 404 in the API's error shape"),
    "api-1.0:openapi-json": Entry(public="the API description"),
    "api-1.0:openapi-view": Entry(public="interactive API documentation"),
    "api-1.0:me": Entry(),
    "api-1.0:organisation_list": Entry(),
    "api-1.0:organisation_detail": Entry(
        kwargs=lambda samples: {"organisation_id": samples["organisation"].pk}
    ),
    "api-1.0:person_list": Entry(),
    "api-1.0:person_detail": Entry(kwargs=lambda samples: {"person_id": samples["person"].pk}),
    "api-1.0:person_consent_list": Entry(
        kwargs=lambda samples: {"person_id": samples["person"].pk}
    ),
    "api-1.0:person_consent_create": Entry(
        kwargs=lambda samples: {"person_id": samples["person"].pk}
    ),
    "api-1.0:my_consent_list": Entry(),
    # POST only: a GET answers 405 to everyone before sign-in is checked, and shows nothing.
    # Who may POST is tested in powershare/people/tests/test_api_people.py.
    "api-1.0:my_consent_withdraw": Entry(
        kwargs=lambda samples: {"purpose": "contact"}, public="POST only; a GET answers 405"
    ),
    "api-1.0:my_consent_agree": Entry(
        kwargs=lambda samples: {"purpose": "contact"}, public="POST only; a GET answers 405"
    ),
    "api-1.0:activity_list": Entry(),
    "api-1.0:activity_detail": Entry(
        kwargs=lambda samples: {"activity_id": samples["activity"].pk}
    ),
    "api-1.0:activity_invitation_list": Entry(
        kwargs=lambda samples: {"activity_id": samples["activity"].pk}
    ),
    "api-1.0:contribution_list": Entry(),
    "api-1.0:contribution_detail": Entry(
        kwargs=lambda samples: {"contribution_id": samples["contribution"].pk}
    ),
    # POST only, like the consent changes above. Who may POST (erin, for her own) is tested in
    # powershare/engagement/tests/test_api_engagement.py.
    "api-1.0:contribution_withdraw": Entry(
        kwargs=lambda samples: {"contribution_id": samples["erin_contribution"].pk},
        public="POST only; a GET answers 405",
    ),
    "api-1.0:my_invitation_list": Entry(),
    "api-1.0:my_invitation_answer": Entry(
        kwargs=lambda samples: {"invitation_id": samples["erin_invitation"].pk},
        public="POST only; a GET answers 405",
    ),
    "api-1.0:my_contribution_list": Entry(),
}


def named_urls() -> dict[str, str]:
    """Every named URL of the project: {"namespace:name": "route"}."""
    found: dict[str, str] = {}

    def walk(patterns, namespace=None, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    return found


def has_parameters(route: str) -> bool:
    return "<" in route
